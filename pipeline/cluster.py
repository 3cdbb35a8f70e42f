"""`pipeline run --cluster ADDRESS`: the run's stages on a Ray cluster (being written)."""

from __future__ import annotations

from pipeline.errors import PipelineError


def require_ray():
    try:
        import ray
    except ImportError as err:
        raise PipelineError(
            "--cluster needs Ray: pip install 'pipeline[cluster]' (or pip install ray)"
        ) from err
    return ray
