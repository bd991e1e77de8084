package dev.jobline.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * What a job cost, or one step of it: billed compute and requests, and their price at {@link OnDemandPrices}.
 * Requests are counted per service, fractional where one request served several jobs (a batch of ten shares one
 * invocation: a tenth each). Steps add up: the job item keeps the sum, written with each step's own write.
 *
 * @param computeMillis  worker time billed, rounded up to the millisecond, per attempt
 * @param gbSeconds      computeMillis x the function's memory in GB
 * @param apiRequests    HTTP API requests
 * @param lambdaRequests function invocations
 * @param sqsRequests    SQS calls (send, the event source's receive and delete, visibility changes)
 * @param dynamoWrites   DynamoDB write request units
 * @param dynamoReads    DynamoDB read request units
 */
public record JobCost(long computeMillis, BigDecimal gbSeconds, BigDecimal apiRequests, BigDecimal lambdaRequests,
                      BigDecimal sqsRequests, BigDecimal dynamoWrites, BigDecimal dynamoReads) {

    /** Dollars are kept to this many decimal places: a millionth of a cent. */
    public static final int DOLLAR_SCALE = 12;
    public static final JobCost NONE = new JobCost(0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
            BigDecimal.ZERO, BigDecimal.ZERO);

    /** Every request of every service. */
    public BigDecimal requests() {
        return apiRequests.add(lambdaRequests).add(sqsRequests).add(dynamoWrites).add(dynamoReads);
    }

    public BigDecimal dollars() {
        return gbSeconds.multiply(OnDemandPrices.LAMBDA_GB_SECOND)
                .add(apiRequests.multiply(OnDemandPrices.HTTP_API_REQUEST))
                .add(lambdaRequests.multiply(OnDemandPrices.LAMBDA_REQUEST))
                .add(sqsRequests.multiply(OnDemandPrices.SQS_REQUEST))
                .add(dynamoWrites.multiply(OnDemandPrices.DYNAMODB_WRITE_UNIT))
                .add(dynamoReads.multiply(OnDemandPrices.DYNAMODB_READ_UNIT))
                .setScale(DOLLAR_SCALE, RoundingMode.HALF_UP);
    }

    public JobCost plus(JobCost other) {
        return new JobCost(computeMillis + other.computeMillis, gbSeconds.add(other.gbSeconds),
                apiRequests.add(other.apiRequests), lambdaRequests.add(other.lambdaRequests),
                sqsRequests.add(other.sqsRequests), dynamoWrites.add(other.dynamoWrites), dynamoReads.add(other.dynamoReads));
    }

    /** A share of one request: 1/n, kept to six decimal places. */
    static BigDecimal share(int n) {
        return BigDecimal.ONE.divide(BigDecimal.valueOf(Math.max(1, n)), new MathContext(6, RoundingMode.HALF_UP));
    }

    static BigDecimal gbSeconds(long millis, int memoryMb) {
        return BigDecimal.valueOf(millis).multiply(BigDecimal.valueOf(memoryMb))
                .divide(BigDecimal.valueOf(1000L * 1024L), 9, RoundingMode.HALF_UP);
    }
}
