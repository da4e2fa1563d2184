"""Staffing and density: headcounts of a unit and its children on a day, density series, and the thresholds."""
