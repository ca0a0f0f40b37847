"""Built-in and installed datasets, found through the ``budgetsim.datasets`` entry points."""

from budgetsim.datasets.registry import DEFAULT, Dataset, data_folder, dataset, datasets

__all__ = ["DEFAULT", "Dataset", "data_folder", "dataset", "datasets"]
