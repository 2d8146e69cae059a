import pytest


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    """Every test writes its research files under its own temporary directory."""
    settings.RESEARCH_EXPORT_DIR = tmp_path / "research"
    return settings.RESEARCH_EXPORT_DIR
