"""The course's widgets (ipywidgets 8): the stepping explorer and in-notebook questions.

``model.py`` holds what they do and knows nothing of widgets; the views draw it.
"""

from .model import ExplorerModel, StepDone

__all__ = ["Explorer", "ExplorerModel", "StepDone", "explore"]


def __getattr__(name: str):
    # The views need ipywidgets; the model does not.
    if name in ("Explorer", "explore"):
        from . import explorer

        return getattr(explorer, name)
    raise AttributeError(name)
