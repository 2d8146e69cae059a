import pytest

from .factories import stub_build


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    """Every test writes its research files under its own temporary directory."""
    settings.RESEARCH_EXPORT_DIR = tmp_path / "research"
    return settings.RESEARCH_EXPORT_DIR


@pytest.fixture(autouse=True)
def _stub_engine(request, monkeypatch):
    """The workflow's tests run the job with a stub of the engine (see `stub_build`); the engine's own
    tests (test_export*.py) run the real one."""
    if request.module.__name__.rsplit(".", 1)[-1].startswith("test_export"):
        return
    from maatwerk.research import export

    monkeypatch.setattr(export, "build", stub_build)
