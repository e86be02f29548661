"""The numerical core: the (N, D) parameter contract (specs), the engine, goals, the ensemble, seek,
sensitivity and plausibility — arrays in, frozen records out."""
