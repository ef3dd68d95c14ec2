"""Write src/network/data/cog-2026.json.gz from the npm package @etalab/decoupage-administratif.

Usage (from the repository root):

    cd /tmp && npm pack @etalab/decoupage-administratif@6.0.0
    .venv/bin/python scripts/vendor_territories.py \\
        /tmp/etalab-decoupage-administratif-6.0.0.tgz

The tarball is checked against the integrity npm recorded for the version, then read in memory
(nothing is extracted to disk). The output keeps only what network.territories needs, sorted,
and gzipped with a zero mtime: the same tarball always gives the same bytes, so a regenerated
file that differs means the data differs.

What is kept, and why:
- regions and departments of France's 101 departments (metropolitan and overseas
  departments/regions); the overseas collectivities (975, 977, 978, 984, 986-989) are left out:
  they are not departments, and the directory shows the 18 regions that have departments;
- current communes (``commune-actuelle``) of those departments, plus the 45 municipal
  arrondissements of Paris, Lyon and Marseille (INSEE gives them commune-like codes, e.g. 13203,
  and a pole may work in a few arrondissements of a city rather than the whole of it);
- delegated and associated communes whose code is not also a current commune's, only to say in
  the error message which current commune they now belong to;
- EPCI with their own taxation (DGCL list: CC, CA, CU, METRO, MET69) and the 11 EPT of the
  Grand Paris (also intercommunal bodies with a SIREN), with the departments of their members.
"""

import argparse
import base64
import gzip
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
VINTAGE = 2026
INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="  # noqa: E501
OUTPUT = Path(__file__).resolve().parent.parent / "src/network/data/cog-2026.json.gz"
# Metropolitan France and the five overseas departments-regions; "com" is left out (see above).
ZONES = {"metro", "drom"}


def integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def read_package(tarball):
    """The package's package.json and data/*.json, parsed, from the npm tarball."""
    raw = Path(tarball).read_bytes()
    if integrity(raw) != INTEGRITY:
        sys.exit(f"{tarball}: integrity differs from {PACKAGE}@{VERSION}'s {INTEGRITY}")
    files = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.endswith(".json"):
                files[member.name.removeprefix("package/")] = json.load(archive.extractfile(member))
    meta = files["package.json"]
    if (meta["name"], meta["version"]) != (PACKAGE, VERSION):
        sys.exit(f"{tarball}: expected {PACKAGE}@{VERSION}, got {meta['name']}@{meta['version']}")
    return files


def slim(files):
    """The subset network.territories reads: lists of rows, sorted by code."""
    regions = sorted(
        [r["code"], r["nom"]] for r in files["data/regions.json"] if r["zone"] in ZONES
    )
    departments = sorted(
        [d["code"], d["nom"], d["region"]]
        for d in files["data/departements.json"]
        if d["zone"] in ZONES
    )
    department_codes = {d[0] for d in departments}
    communes_data = files["data/communes.json"]
    current = {
        c["code"]: c
        for c in communes_data
        if c["type"] == "commune-actuelle" and c["departement"] in department_codes
    }
    communes = sorted([c["code"], c["nom"], c["departement"]] for c in current.values())
    arrondissements = sorted(
        [c["code"], c["nom"], c["departement"]]
        for c in communes_data
        if c["type"] == "arrondissement-municipal"
    )
    former = sorted(
        [c["code"], c["nom"], c["chefLieu"]]
        for c in communes_data
        if c["type"] in {"commune-deleguee", "commune-associee"}
        and c["code"] not in current
        and c["chefLieu"] in current
    )
    epci = sorted(
        [
            e["code"],
            e["nom"],
            e["type"],
            sorted({current[m["code"]]["departement"] for m in e["membres"]}),
        ]
        for e in files["data/epci.json"] + files["data/ept.json"]
    )
    assert len(departments) == 101, len(departments)
    assert {d[2] for d in departments} == {r[0] for r in regions}
    assert not {c[0] for c in arrondissements} & current.keys()
    assert all(e[3] for e in epci), "an EPCI with no member commune"
    return {
        "source": {"package": PACKAGE, "version": VERSION, "integrity": INTEGRITY},
        "vintage": VINTAGE,
        "regions": regions,
        "departments": departments,
        "communes": communes,
        "municipal_arrondissements": arrondissements,
        "former_communes": former,
        "epci": epci,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", help=f"the npm tarball of {PACKAGE}@{VERSION} (npm pack)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    data = slim(read_package(args.tarball))
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    counts = ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list))
    print(f"{args.output}: {args.output.stat().st_size} bytes ({counts})")


if __name__ == "__main__":
    main()
