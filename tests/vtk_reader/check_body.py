"""Reads the VTK snapshots of an alsim neuraxis run (one folder per region, and vtk/body.pvd)
with VTK's own XML readers and checks them against expected.json, written by the Rust test
`vtk_itself_reads_a_body_s_snapshots` from its own simulation of the same body.

Usage: check_body.py RUN_DIR EXPECTED_JSON. Exit status 0 when every check passes; otherwise each
failure is printed and the status is 1.
"""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOXML import vtkXMLImageDataReader, vtkXMLPolyDataReader

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def read(reader_class, path):
    reader = reader_class()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


run = Path(sys.argv[1])
expected = json.loads(Path(sys.argv[2]).read_text())
body = ET.parse(run / "vtk" / "body.pvd").getroot()
listed = [(float(d.get("timestep")), int(d.get("part")), d.get("file")) for d in body.iter("DataSet")]
check(len(listed) == 2 * len(expected["regions"]) * expected["snapshots"], f"body.pvd lists {len(listed)} files")
last_time = max(t for t, _, _ in listed)
checked = 0
for k, region in enumerate(expected["regions"]):
    files = {part: run / "vtk" / f for t, part, f in listed if t == last_time}
    image = read(vtkXMLImageDataReader, files[2 * k])
    check(list(image.GetOrigin()) == region["origin_um"], f"{region['name']}: origin {image.GetOrigin()}")
    check(list(image.GetDimensions()) == [n + 1 for n in region["voxels"]], f"{region['name']}: dimensions {image.GetDimensions()}")
    for field, values in region["fields"].items():
        got = vtk_to_numpy(image.GetCellData().GetArray(field))
        for index, want in values:
            check(np.float32(got[index]) == np.float32(want), f"{region['name']}: {field}[{index}] = {got[index]}, want {want}")
            checked += 1
    cells = read(vtkXMLPolyDataReader, files[2 * k + 1])
    check(cells.GetNumberOfPoints() == region["cells"], f"{region['name']}: {cells.GetNumberOfPoints()} cells")
    points = vtk_to_numpy(cells.GetPoints().GetData())
    check(bool(np.all(points[:, 0] >= region["origin_um"][0])), f"{region['name']}: a cell lies left of its block")
    first = region["first_cell_um"]
    check(bool(np.all(points[0] == np.float32(first))), f"{region['name']}: first cell at {points[0]}, want {first}")

for f in failures:
    print("FAIL", f)
print(f"{len(expected['regions'])} regions, {checked} voxel values checked, {len(failures)} failures")
sys.exit(1 if failures else 0)
