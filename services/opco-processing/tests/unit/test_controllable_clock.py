from datetime import UTC, datetime, timedelta

from passerelle.opco_processing.adapters.clock import FileOffsetClock
from passerelle.opco_processing.config import Settings

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def test_the_clock_moves_by_the_offset_written_in_its_file(tmp_path):
    path = tmp_path / "clock-offset"
    clock = FileOffsetClock(path, base=lambda: T0)
    assert clock() == T0  # no file: real time
    path.write_text(str(16 * 86400))
    assert clock() == T0 + timedelta(days=16)
    path.write_text("3600.5")
    assert clock() == T0 + timedelta(seconds=3600.5)
    path.unlink()
    assert clock() == T0


def test_a_half_written_file_reads_as_real_time(tmp_path):
    path = tmp_path / "clock-offset"
    path.write_text("12a")
    assert FileOffsetClock(path, base=lambda: T0)() == T0


def test_production_never_reads_the_offset_file(monkeypatch, tmp_path):
    monkeypatch.setenv("OPCO_PROCESSING_CLOCK_OFFSET_FILE", str(tmp_path / "clock-offset"))
    monkeypatch.setenv("PASSERELLE_ENVIRONMENT", "production")
    monkeypatch.delenv("OPCO_PROCESSING_ENVIRONMENT", raising=False)
    assert Settings().controllable_clock is None
    monkeypatch.setenv("OPCO_PROCESSING_ENVIRONMENT", "test")
    assert Settings().controllable_clock == str(tmp_path / "clock-offset")
