"""The course's widgets: the stepping explorer (an anywidget) and in-notebook questions
(ipywidgets 8).

``model.py`` holds what the explorer does and knows nothing of widgets; the views draw it.
"""

from .model import ExplorerModel, StepDone

__all__ = ["Explorer", "ExplorerModel", "StepDone", "explore"]


def __getattr__(name: str):
    # The views need ipywidgets; the model does not.
    if name in ("Explorer", "explore"):
        from . import explorer

        return getattr(explorer, name)
    raise AttributeError(name)
