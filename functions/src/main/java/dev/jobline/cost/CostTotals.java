package dev.jobline.cost;

import java.math.BigDecimal;

/**
 * What a job has cost so far, as its item keeps it: each step adds its own figures, priced when it happened.
 *
 * @param computeMillis billed worker time of its attempts
 * @param gbSeconds     that time x the worker's memory
 * @param requests      requests of every service it caused (fractional: shares of batched calls)
 * @param dollars       all of it at {@link OnDemandPrices}
 */
public record CostTotals(long computeMillis, BigDecimal gbSeconds, BigDecimal requests, BigDecimal dollars) {

    public static CostTotals of(JobCost cost) {
        return new CostTotals(cost.computeMillis(), cost.gbSeconds(), cost.requests(), cost.dollars());
    }
}
