#pragma once
// Crash-test fault points for the receiver demo programs. In builds with FALTRAIN_FAULT_POINTS (the
// test build), `FALTRAIN_CRASH_AT=<point>:<n>` makes the process SIGKILL itself the n-th time it
// reaches <point>, so a crash test can stop it exactly between two steps. Elsewhere a no-op.

/// Dies here when FALTRAIN_CRASH_AT names `point` and this is its n-th arrival.
void FaultPoint(const char* point);
