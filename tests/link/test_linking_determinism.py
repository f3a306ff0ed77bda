"""Linking evidence is the same to the last bit whichever texts a process met before:
`followup rebuild` links organisations in chunks in parallel processes, a single ingest links one
organisation alone, and both must write the same files. (Token ids are numbered in the order a
process meets tokens; summing a text's weights in id order made the last bit of a probability
depend on that order.)"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = """
import sys
import numpy as np
from pipelines.link.evidence import analyse, pair_evidence, comment_tokens
from pipelines.synthetic.simulate import simulate_history, synthetic_start

def texts(k):
    start = synthetic_start(150, seed=k, org=f"kommun-{k}", period="2023-Q1")
    rows = simulate_history(start, 3, seed=k, intensity="heavy")
    return rows["activity"].to_list(), rows["comment"].to_list()

for k in map(int, sys.argv[1].split(",")) if sys.argv[1] else ():
    acts, comments = texts(k)
    for t in reversed(acts):  # other organisations' words first, in another order
        analyse(t)
    for c in reversed(comments):
        comment_tokens(c)
acts, comments = texts(7)
half = len(acts) // 2
feats = pair_evidence(
    [analyse(t) for t in acts[:half]],
    [analyse(t) for t in acts[half:]],
    [comment_tokens(c) for c in comments[:half]],
    [comment_tokens(c) for c in comments[half:]],
)
np.savez(sys.argv[2], **feats)
"""


def _evidence(before: str, out: Path) -> dict:
    import numpy as np

    done = subprocess.run(
        [sys.executable, "-c", CODE, before, str(out)], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with np.load(out) as data:
        return {name: data[name] for name in data.files}


def test_evidence_does_not_depend_on_what_the_process_read_before(tmp_path):
    import numpy as np

    alone = _evidence("", tmp_path / "alone.npz")
    after_others = _evidence("3,5,11", tmp_path / "after.npz")
    assert alone["words_dice"].shape[0] > 100 and alone["words_dice"].any()
    for name, values in alone.items():  # equal to the last bit (says which matrix is not)
        assert np.array_equal(values, after_others[name]), name
