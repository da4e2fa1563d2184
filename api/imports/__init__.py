"""Spreadsheet imports (DESIGN, "Spreadsheet import"): the template, reading a workbook or CSV as rows, and
recording the rows as the commands the same mutations would record, with the caller's rights."""
