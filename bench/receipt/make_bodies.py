#!/usr/bin/env python3
"""Writes the request bodies of bench/receipt/run.sh: a single receipt and a batch of 1,000, for
synthetic payers (valid check digits, never real numbers)."""
import json
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"


def citizen_id(seq):
    first17 = "330106" + "19850312" + "%03d" % (seq % 1000)
    return first17 + C[sum(int(a) * b for a, b in zip(first17, W)) % 11]


def receipt(i):
    items = [
        {"category": "西药费", "name": "阿莫西林胶囊 0.25g×24粒", "quantity": 2, "unit_fen": 1850, "amount_fen": 3700},
        {"category": "检查费", "name": "血常规", "quantity": 1, "unit_fen": 2500, "amount_fen": 2500},
        {"category": "诊疗费", "name": "普通门诊诊查费", "quantity": 1, "unit_fen": 1000, "amount_fen": 1000},
    ]
    return {"payer_id_number": citizen_id(i), "payer_name": "张伟", "kind": "outpatient", "items": items,
            "total_fen": 7200, "insurance_fen": 4320, "self_fen": 2880, "channel": "medical_insurance"}


out = sys.argv[1]
with open(out + "/single.json", "w") as f:
    json.dump(receipt(1), f, ensure_ascii=False)
with open(out + "/batch.json", "w") as f:
    json.dump({"receipts": [receipt(i) for i in range(1000)]}, f, ensure_ascii=False)
