"""Read models: pure folds of the event stream, each with its position tracked beside its rows."""
