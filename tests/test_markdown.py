"""The one Markdown table writer."""

import pandas as pd

from helpers import markdown


def test_table_aligns_numbers_right_by_default():
    text = markdown.table(["name", "t"], [["Japan", "280 t"]])
    assert text.splitlines() == ["| name | t |", "|---|---:|", "| Japan | 280 t |"]


def test_frame_table_puts_the_index_first():
    frame = pd.DataFrame({"n": [1, 2]}, index=pd.Index([2024, 2025], name="year"))
    assert markdown.frame_table(frame).splitlines() == [
        "| year | n |", "|---|---|", "| 2024 | 1 |", "| 2025 | 2 |"]
