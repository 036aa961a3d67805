"""Score a ``distillscope monitor scan`` against the ground truth of ``monitor_sim_blind.py``.

    distillscope monitor scan OUT/log --json --out OUT/scan > OUT/scan.json
    .venv/bin/python bench/monitor_sim_blind_score.py OUT/scan.json OUT/truth [--accounts OUT/scan/accounts.parquet]
                                                      [--markdown] [--json-out scores.json]

Reads the scan's ``--json`` document (its ``campaigns`` and ``accounts`` lists) and the truth folder
(``accounts.csv``, ``campaigns.json``). The JSON lists only the top accounts, so pass the ``--out`` folder's
``accounts.parquet`` to score every account; an account missing from both counts as not flagged.

Reported figures:
  * per campaign kind: campaigns caught (>= half of a campaign's accounts flagged) and account-level recall;
  * per benign type: false-positive rate (flagged accounts / accounts);
  * the reported groups: for every flagged group (and the top unflagged ones) its size, how many members are
    campaign accounts, the truth group that holds most of its members and that share (purity);
  * threshold-free: the AUC of the scan's per-account scores (campaign accounts vs benign accounts), when present.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np


def load_truth(folder: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    with open(folder / "accounts.csv") as fh:
        accounts = {r["account_id"]: r for r in csv.DictReader(fh)}
    camps = {c["campaign_id"]: c for c in json.loads((folder / "campaigns.json").read_text())["campaigns"]}
    return accounts, camps


def load_scan(path: Path, accounts_parquet: Path | None) -> tuple[list[dict], dict[str, dict]]:
    doc = json.loads(path.read_text())
    accs = {a["account_id"]: a for a in doc.get("accounts", [])}
    if accounts_parquet is not None:
        import pyarrow.parquet as pq

        for a in pq.read_table(accounts_parquet).to_pylist():
            accs.setdefault(a["account_id"], a)
    return doc.get("campaigns", []), accs


def auc(pos: np.ndarray, neg: np.ndarray) -> float | None:
    """Mann-Whitney AUC (ties count half)."""
    if not len(pos) or not len(neg):
        return None
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg)))


def score(scan_json: Path, truth: Path, accounts_parquet: Path | None = None, top_unflagged: int = 10) -> dict:
    truth_acc, camps = load_truth(truth)
    groups, scan_acc = load_scan(scan_json, accounts_parquet)
    flagged = {a for a, r in scan_acc.items() if r.get("flagged")}
    for g in groups:  # a member of a flagged group is flagged even when the accounts list stops early
        if g.get("flagged"):
            flagged.update(g["accounts"])
    unknown = sorted(flagged - set(truth_acc))
    # --- campaigns
    members: dict[str, list[str]] = defaultdict(list)
    for a, r in truth_acc.items():
        if r["label"] == "campaign":
            members[r["group"]].append(a)
    by_kind: dict[str, dict] = {}
    per_campaign = []
    for cid, c in camps.items():
        m = members.get(cid, [])
        if not m:  # no account of it sent anything (tiny worlds): nothing to catch
            continue
        hit = sum(a in flagged for a in m)
        caught = hit >= len(m) / 2
        per_campaign.append({"campaign_id": cid, "kind": c["kind"], "accounts": len(m), "flagged": hit,
                             "caught": caught})
        k = by_kind.setdefault(c["kind"], {"campaigns": 0, "caught": 0, "accounts": 0, "flagged_accounts": 0})
        k["campaigns"] += 1
        k["caught"] += caught
        k["accounts"] += len(m)
        k["flagged_accounts"] += hit
    for k in by_kind.values():
        k["campaign_recall"] = k["caught"] / k["campaigns"]
        k["account_recall"] = k["flagged_accounts"] / max(k["accounts"], 1)
    # --- benign
    fpr: dict[str, dict] = {}
    for a, r in truth_acc.items():
        if r["label"] != "benign":
            continue
        f = fpr.setdefault(r["kind"], {"accounts": 0, "flagged": 0, "groups_flagged": set()})
        f["accounts"] += 1
        if a in flagged:
            f["flagged"] += 1
            f["groups_flagged"].add(r["group"] or a)
    for f in fpr.values():
        f["fpr"] = f["flagged"] / f["accounts"]
        f["groups_flagged"] = len(f["groups_flagged"])
    n_ben = sum(f["accounts"] for f in fpr.values())
    n_ben_flag = sum(f["flagged"] for f in fpr.values())
    n_camp = sum(len(m) for m in members.values())
    n_camp_flag = sum(a in flagged for m in members.values() for a in m)
    # --- reported groups
    reported = []
    shown = [g for g in groups if g.get("flagged")] + [g for g in groups if not g.get("flagged")][:top_unflagged]
    for g in shown:
        labels = [truth_acc.get(a, {"label": "?", "group": "?", "kind": "?"}) for a in g["accounts"]]
        keys = Counter((r["group"] or f"(lone {r['kind']} {a[-6:]})") for a, r in zip(g["accounts"], labels,
                                                                                          strict=True))
        top, top_n = keys.most_common(1)[0]
        kinds = Counter(r["kind"] for r in labels)
        reported.append({"group": g.get("campaign_id"), "flagged": bool(g.get("flagged")), "size": len(labels),
                         "score": g.get("score"), "campaign_members": sum(r["label"] == "campaign" for r in labels),
                         "majority_truth_group": top, "purity": top_n / len(labels),
                         "kinds": dict(kinds.most_common(4))})
    # --- threshold-free
    aucs = {}
    for field in ("campaign_score", "distill_score"):
        pos = np.array([scan_acc[a].get(field) or 0.0 for a, r in truth_acc.items()
                        if r["label"] == "campaign" and a in scan_acc])
        neg = np.array([scan_acc[a].get(field) or 0.0 for a, r in truth_acc.items()
                        if r["label"] == "benign" and a in scan_acc])
        covered = (len(pos) + len(neg)) / max(len(truth_acc), 1)
        if len(pos) and len(neg):
            aucs[field] = {"auc": auc(pos, neg), "accounts_covered": round(covered, 3)}
    return {
        "accounts": {"campaign": n_camp, "campaign_flagged": n_camp_flag, "benign": n_ben,
                     "benign_flagged": n_ben_flag, "account_recall": n_camp_flag / max(n_camp, 1),
                     "benign_fpr": n_ben_flag / max(n_ben, 1),
                     "precision": n_camp_flag / max(n_camp_flag + n_ben_flag, 1)},
        "groups_reported": len(groups), "groups_flagged": sum(bool(g.get("flagged")) for g in groups),
        "by_kind": by_kind, "per_campaign": per_campaign, "benign_fpr": fpr, "reported": reported, "auc": aucs,
        "flagged_not_in_truth": len(unknown),
    }


def markdown(s: dict) -> str:
    a = s["accounts"]
    out = [(f"Accounts: {a['campaign_flagged']}/{a['campaign']} campaign accounts flagged "
           f"(recall {a['account_recall']:.3f}), {a['benign_flagged']}/{a['benign']} benign flagged "
           f"(FPR {a['benign_fpr']:.4f}), precision {a['precision']:.3f}; groups reported {s['groups_reported']}, "
           f"flagged {s['groups_flagged']}."), "",
           "| campaign kind | campaigns caught | account recall |", "|---|---|---|"]
    for k, v in sorted(s["by_kind"].items()):
        out.append(f"| {k} | {v['caught']}/{v['campaigns']} | {v['flagged_accounts']}/{v['accounts']} "
                   f"({v['account_recall']:.2f}) |")
    out += ["", "| benign type | accounts | flagged | FPR | groups hit |", "|---|---|---|---|---|"]
    for k, v in sorted(s["benign_fpr"].items()):
        out.append(f"| {k} | {v['accounts']} | {v['flagged']} | {v['fpr']:.4f} | {v['groups_flagged']} |")
    out += ["", "| reported group | flagged | size | campaign members | majority truth group | purity | kinds |",
            "|---|---|---|---|---|---|---|"]
    for r in s["reported"]:
        kinds = ", ".join(f"{k}:{n}" for k, n in r["kinds"].items())
        out.append(f"| {r['group']} | {r['flagged']} | {r['size']} | {r['campaign_members']} | "
                   f"{r['majority_truth_group']} | {r['purity']:.2f} | {kinds} |")
    if s["auc"]:
        out += ["", "Threshold-free (accounts in the scan output): " + "; ".join(
            f"{k} AUC {v['auc']:.3f} (covers {v['accounts_covered']:.0%} of accounts)" for k, v in s["auc"].items())]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scan_json", type=Path)
    ap.add_argument("truth", type=Path, help="the simulator's truth/ folder")
    ap.add_argument("--accounts", type=Path, default=None, help="the scan's --out accounts.parquet (all accounts)")
    ap.add_argument("--markdown", action="store_true", help="print tables instead of JSON")
    ap.add_argument("--json-out", type=Path, default=None)
    a = ap.parse_args(argv)
    s = score(a.scan_json, a.truth, a.accounts)
    if a.json_out:
        a.json_out.write_text(json.dumps(s, indent=1))
    print(markdown(s) if a.markdown else json.dumps(s, indent=1))


if __name__ == "__main__":
    main()
