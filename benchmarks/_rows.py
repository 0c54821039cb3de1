"""The row every benchmark figure reports, and the table that prints them."""

from dataclasses import asdict, dataclass


@dataclass
class Row:
    """One figure: skebm beside a named baseline and the matrix-product bound.

    Times are in ``unit``; ``ratio`` is baseline / skebm (how many times
    faster skebm is) and ``bound_ratio`` is skebm / bound (how close to the
    time of its matrix products alone).
    """

    figure: str
    skebm: float
    baseline_name: str = ""
    baseline: float | None = None
    bound: float | None = None
    unit: str = "s"
    target: str = ""

    @property
    def ratio(self):
        return None if self.baseline is None else self.baseline / self.skebm

    @property
    def bound_ratio(self):
        return None if self.bound is None else self.skebm / self.bound

    def as_dict(self):
        return {**asdict(self), "ratio": self.ratio, "bound_ratio": self.bound_ratio}


def _number(value, digits=4):
    return "-" if value is None else f"{value:.{digits}g}"


def format_table(rows):
    header = (
        "| figure | unit | skebm | baseline | baseline value | baseline / skebm "
        "| bound | skebm / bound | target |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for row in rows:
        lines.append(
            f"| {row.figure} | {row.unit} | {_number(row.skebm)} "
            f"| {row.baseline_name or '-'} | {_number(row.baseline)} "
            f"| {_number(row.ratio, 3)} | {_number(row.bound)} "
            f"| {_number(row.bound_ratio, 3)} | {row.target} |"
        )
    return "\n".join(lines)
