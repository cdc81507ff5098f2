"""This set's recorder: the one shared by the blind sets (benchmarks/blind_recorder)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "blind_recorder"))
from blind_record import main, record  # noqa: E402,F401

if __name__ == "__main__":
    main()
