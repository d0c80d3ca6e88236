"""Checks a `ptq report` HTML file with a strict HTML5 parser (html5lib, pinned in requirements.txt).

Usage: check_report.py REPORT.html

Parses the file with html5lib in strict mode (any parse error, as the HTML5 specification defines them,
fails), then prints one JSON object describing what the parsed tree holds: the layer sections' names, the
plots by kind, the layer table's rows and any reference to a resource outside the file. Exit 1 with the
parse error on stderr when the file is not well-formed HTML5.
"""

import json
import sys

import html5lib

SVG = "{http://www.w3.org/2000/svg}"


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(data)
    except html5lib.html5parser.ParseError as error:
        print(f"{path}: not strict HTML5: {error}", file=sys.stderr)
        return 1
    plots = {}
    for svg in tree.iter(SVG + "svg"):
        kind = svg.get("data-plot", "")
        plots[kind] = plots.get(kind, 0) + 1
    layers = [s.get("data-layer") for s in tree.iter("section") if s.get("data-layer") is not None]
    rows = [tr.get("data-name") for tr in tree.iter("tr") if tr.get("data-name") is not None]
    external = []
    for element in tree.iter():
        for attribute in ("src", "href", "xlink:href", "{http://www.w3.org/1999/xlink}href", "action"):
            value = element.get(attribute)
            if value is not None and not value.startswith("#"):
                external.append(f"{element.tag} {attribute}={value}")
        if element.tag in ("link", "iframe", "img", "object", "embed"):
            external.append(element.tag)
    for style in tree.iter("style"):
        if "url(" in (style.text or "") or "@import" in (style.text or ""):
            external.append("style url()/@import")
    generator = [m.get("content") for m in tree.iter("meta") if m.get("name") == "generator"]
    print(json.dumps({"layers": layers, "rows": rows, "plots": plots, "external": external,
                      "generator": generator}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
