"""Reads the VTK snapshots of an alsim run with VTK's own XML readers (the ones ParaView uses)
and checks them against what alsim computed: expected.json, written by the Rust test
`vtk_itself_reads_the_snapshots_alsim_wrote` from its own simulation, and the run's
timeseries.csv.

Usage: check_vtk.py RUN_DIR EXPECTED_JSON. Exit status 0 when every check passes; otherwise each
failure is printed and the status is 1.
"""

import csv
import json
import math
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


def collection(path):
    """(time, file) of every DataSet of a .pvd, parsed with Python's XML parser."""
    root = ET.parse(path).getroot()
    check(root.get("type") == "Collection", f"{path}: type is {root.get('type')}")
    return [(float(d.get("timestep")), path.parent / d.get("file")) for d in root.iter("DataSet")]


def read(reader_class, path):
    reader = reader_class()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


def arrays(data):
    """Name -> numpy array of a vtkDataSetAttributes, in file order."""
    return {data.GetArrayName(i): vtk_to_numpy(data.GetArray(i)) for i in range(data.GetNumberOfArrays())}


def same_f32(got, want, what):
    """want is a JSON number (or null for NaN); got a float32 read by VTK."""
    if want is None:
        check(math.isnan(got), f"{what}: expected NaN, VTK read {got}")
    else:
        check(np.float32(want) == np.float32(got), f"{what}: expected {want}, VTK read {got}")


def main(run_dir, expected_path):
    expected = json.loads(Path(expected_path).read_text())
    with open(run_dir / "timeseries.csv") as f:
        rows = {float(r["time_days"]): r for r in csv.DictReader(f)}
    fields = collection(run_dir / "vtk" / "fields.pvd")
    cells = collection(run_dir / "vtk" / "cells.pvd")
    snapshots = expected["snapshots"]
    check(len(fields) == len(snapshots), f"fields.pvd lists {len(fields)} files, expected {len(snapshots)}")
    check([t for t, _ in cells] == [s["time_days"] for s in snapshots], "cells.pvd times differ")
    voxels_checked = cells_checked = 0
    for (time, vti), (_, vtp), snap in zip(fields, cells, snapshots):
        day = f"day {time:g}"
        check(time == snap["time_days"], f"{vti.name}: time {time}, expected {snap['time_days']}")

        image = read(vtkXMLImageDataReader, vti)
        check(list(image.GetDimensions()) == expected["dimensions"],
              f"{day}: dimensions {image.GetDimensions()}, expected {expected['dimensions']}")
        check(list(image.GetSpacing()) == [expected["spacing_um"]] * 3, f"{day}: spacing {image.GetSpacing()}")
        check(list(image.GetOrigin()) == expected["origin_um"], f"{day}: origin {image.GetOrigin()}")
        data = arrays(image.GetCellData())
        check(list(data) == expected["fields"], f"{day}: cell data arrays {list(data)}, expected {expected['fields']}")
        check(image.GetNumberOfCells() == math.prod(d - 1 for d in expected["dimensions"]), f"{day}: cell count")
        for probe in snap["voxels"]:
            # VTK computes the voxel's cell id from (i, j, k) itself: the layout is checked too.
            cell_id = image.ComputeCellId(probe["ijk"])
            for name, want in probe["values"].items():
                same_f32(data[name][cell_id], want, f"{day} {name} at voxel {probe['ijk']}")
                voxels_checked += 1
        row = rows.get(time)
        check(row is not None, f"{day}: no row in timeseries.csv")
        if row is not None:
            for name, values in data.items():
                check(float(values.max()) == float(row[f"{name}_max"]),
                      f"{day}: largest {name} is {values.max()}, timeseries.csv says {row[name + '_max']}")

        poly = read(vtkXMLPolyDataReader, vtp)
        n = snap["cell_count"]
        check(poly.GetNumberOfPoints() == n, f"{day}: {poly.GetNumberOfPoints()} points, expected {n}")
        check(poly.GetNumberOfVerts() == n, f"{day}: {poly.GetNumberOfVerts()} vertices, expected {n}")
        point_data = arrays(poly.GetPointData())
        check(list(point_data) == expected["cell_arrays"], f"{day}: point data arrays {list(point_data)}")
        positions = vtk_to_numpy(poly.GetPoints().GetData())
        for cell in snap["cells"]:
            i = cell["index"]
            what = f"{day} cell {cell['id']}"
            check(int(point_data["id"][i]) == cell["id"], f"{what}: id {point_data['id'][i]}")
            check(int(point_data["kind"][i]) == cell["kind"], f"{what}: kind {point_data['kind'][i]}")
            check(int(point_data["state"][i]) == cell["state"], f"{what}: state {point_data['state'][i]}")
            for axis in range(3):
                same_f32(positions[i][axis], cell["position_um"][axis], f"{what} position[{axis}]")
            same_f32(point_data["damage"][i], cell["damage"], f"{what} damage")
            same_f32(point_data["support"][i], cell["support"], f"{what} support")
            cells_checked += 1
        by_state = np.bincount(point_data["state"], minlength=9).tolist()
        check(by_state == snap["cells_by_state"], f"{day}: cells by state {by_state}, expected {snap['cells_by_state']}")
        if row is not None:
            check(by_state[3] == int(float(row["motor_neurons_dead"])), f"{day}: dead motor neurons")
            check(by_state[5] == int(float(row["microglia_proinflammatory"])), f"{day}: pro-inflammatory microglia")
            check(by_state[8] == int(float(row["astrocytes_reactive"])), f"{day}: reactive astrocytes")

    for message in failures:
        print("FAIL:", message)
    print(f"{len(fields)} snapshots checked: {voxels_checked} voxel values, {cells_checked} cells, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
