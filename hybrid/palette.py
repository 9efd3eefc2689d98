"""One colour per meaning, for the dashboard, the reports and the PDF alike.

Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008): it stays distinguishable under
the common colour-vision deficiencies. Human data is blue, synthetic data orange, human review
green, the recommended mix black; every chart repeats the meaning with a dash, marker or label so
colour is never the only cue.
"""

HUMAN = "#0072B2"  # blue: human-labeled data, the expert anchor layer
SYNTHETIC = "#E69F00"  # orange: synthetic data, the synthetic extension layer
REVIEW = "#009E73"  # green: human review of synthetic output
RECOMMENDED = "#000000"  # black: the recommended mix
SKY = "#56B4E9"  # sky blue: the low end of a range
PURPLE = "#CC79A7"  # reddish purple: the high end of a range
VERMILLION = "#D55E00"  # outside the guardrails, warnings
TARGET = "#444444"  # the target metric line
TODAY = "#8A8A8A"  # today's metric

# One colour per plan: the all-human plan is human data, the all-synthetic plan synthetic data.
PLAN_COLORS = {"all-human": HUMAN, "all-synthetic": SYNTHETIC, "recommended": RECOMMENDED}
