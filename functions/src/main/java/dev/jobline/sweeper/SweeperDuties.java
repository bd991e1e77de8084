package dev.jobline.sweeper;

import dev.jobline.reconcile.Reconciliation;

/** What the sweeper function does each invocation: a sweep, then as much of an active reconciliation as time allows. */
public record SweeperDuties(Sweeper sweeper, Reconciliation reconciliation) {
}
