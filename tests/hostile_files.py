"""Builders for hostile test files (an .xlsx written as raw XML, fast, with any stated
dimension)."""

import sys
import zipfile


def xlsx(path, rows, dim=None, cols=3):
    ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    wb = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    wbrels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dim:
                f.write(f'<dimension ref="{dim}"/>'.encode())
            f.write(b"<sheetData>")
            names = "abc"
            f.write(
                b'<row r="1">'
                + b"".join(
                    f'<c r="{names[j]}1" '
                    f't="inlineStr"><is><t>{["text", "label", "source"][j]}</t></is></c>'.encode()
                    for j in range(cols)
                )
                + b"</row>"
            )
            for i in range(2, rows + 2):
                f.write(
                    f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>t{i % 97}</t></is></c><c '
                    f'r="B{i}" t="inlineStr"><is><t>{"xy"[i % 2]}</t></is></c><c r="C{i}" '
                    f't="inlineStr"><is><t>human</t></is></c></row>'.encode()
                )
            f.write(b"</sheetData></worksheet>")


if __name__ == "__main__":  # python tests/hostile_files.py OUT.xlsx ROWS [DIMENSION]
    xlsx(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)


def xlsx_shared(path, rows, dim="A1:B10"):
    """A workbook of ``rows`` data rows whose cells all point into a five-entry shared-strings table
    and carry no cell references: the issue's small Excel file (4 million rows in under 1 MB)."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types '
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    wb = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    wbrels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?><sst '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" '
        'uniqueCount="5">'
        "<si><t>text</t></si><si><t>label</t></si><si><t>a</t></si><si><t>x</t></si><si><t>y</t></si></sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        z.writestr("xl/sharedStrings.xml", sst)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dim:
                f.write(f'<dimension ref="{dim}"/>'.encode())
            f.write(b'<sheetData><row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>')
            pair = b'<row><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row><row><c t="s"><v>2</v></c><c t="s"><v>4</v></c></row>'
            chunk = pair * 5000
            for _ in range(rows // 10000):
                f.write(chunk)
            f.write(pair * ((rows % 10000) // 2))
            f.write(b"</sheetData></worksheet>")
