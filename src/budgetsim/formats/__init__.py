"""The formats a scenario comes in, read and written below every layer that uses them: scenario
documents (YAML or JSON, :mod:`~budgetsim.formats.documents`), the municipality's tables (a folder
of CSV files or one workbook, :mod:`~budgetsim.formats.tables` and
:mod:`~budgetsim.formats.municipality`), SCB's population files (:mod:`~budgetsim.formats.scb`) and
the template ``budgetsim init`` writes. Built-in datasets are folders of these tables, so
:mod:`budgetsim.datasets` loads them here; run files and the command line's inputs
(:mod:`budgetsim.io`) sit above both."""
