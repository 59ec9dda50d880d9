#!/usr/bin/env python3
# check_svg.py SVG FOLDED: is the flame graph SVG the picture of the folded
# counts? Parses the SVG (Python's XML parser, independent of uscope), rebuilds
# the tree from the boxes' geometry (a box at depth d+1 sits inside the x-range
# of its parent at depth d), and checks that
#   - every box's width is its count times one scale (widths proportional);
#   - the children of a box are no wider than it, and the root spans the graph;
#   - every root-to-box path's count equals the sum of the folded lines that
#     start with that path, and every folded line appears as a path.
# Prints what differs and exits 1, or prints "ok N boxes".
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def main(svg_path, folded_path):
    folded = {}
    for line in open(folded_path):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, count = line.rsplit(" ", 1)
        folded[stack] = folded.get(stack, 0) + int(count)
    total = sum(folded.values())
    boxes = []
    for g in ET.parse(svg_path).getroot().iter(NS + "g"):
        if g.get("class") != "f":
            continue
        rect, title = g.find(NS + "rect"), g.find(NS + "title").text
        name = title[: title.rindex(" (")]
        boxes.append(dict(name=name, count=int(g.get("data-count")), depth=int(g.get("data-depth")),
                          x=float(rect.get("x")), w=float(rect.get("width"))))
    bad = []
    root = [b for b in boxes if b["depth"] == 0]
    if len(root) != 1 or root[0]["count"] != total:
        bad.append("root: %r, expected one with count %d" % (root, total))
        return report(bad, boxes)
    scale = root[0]["w"] / total
    for b in boxes:
        if abs(b["w"] - b["count"] * scale) > 1e-3:
            bad.append("%s: width %f for count %d" % (b["name"], b["w"], b["count"]))
    # Parents by geometry, paths from the root.
    by_depth = {}
    for b in boxes:
        by_depth.setdefault(b["depth"], []).append(b)
    for b in boxes:
        if b["depth"] == 0:
            b["path"] = []
            continue
        parents = [p for p in by_depth.get(b["depth"] - 1, [])
                   if p["x"] - 1e-3 <= b["x"] and b["x"] + b["w"] <= p["x"] + p["w"] + 1e-3]
        if len(parents) != 1:
            bad.append("%s: %d parents" % (b["name"], len(parents)))
            b["path"] = None
    for d in sorted(by_depth):
        for b in by_depth[d]:
            if d == 0 or "path" in b:
                continue
            p = [p for p in by_depth[d - 1] if p["x"] - 1e-3 <= b["x"] and b["x"] + b["w"] <= p["x"] + p["w"] + 1e-3][0]
            b["path"] = p["path"] + [b["name"]]
    paths = {}
    for b in boxes:
        if b["depth"] and b.get("path") is not None:
            paths[";".join(b["path"])] = b["count"]
    for path, count in paths.items():
        want = sum(c for s, c in folded.items() if s == path or s.startswith(path + ";"))
        if want != count:
            bad.append("%s: %d in the SVG, %d in the folded lines" % (path, count, want))
    for s in folded:
        if s not in paths:
            bad.append("folded line %s has no box" % s)
    for p in boxes:
        kids = [b for b in by_depth.get(p["depth"] + 1, [])
                if p["x"] - 1e-3 <= b["x"] and b["x"] + b["w"] <= p["x"] + p["w"] + 1e-3]
        if sum(k["w"] for k in kids) > p["w"] + 1e-3:
            bad.append("%s: children wider than their parent" % p["name"])
    return report(bad, boxes)


def report(bad, boxes):
    for b in bad:
        print(b)
    if bad:
        return 1
    print("ok %d boxes" % len(boxes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
