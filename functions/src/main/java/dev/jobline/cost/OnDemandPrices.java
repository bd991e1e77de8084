package dev.jobline.cost;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * The on-demand prices a job's cost is computed at: us-east-1, arm64 (the functions' architecture), no free tier, as published on the AWS pricing
 * pages for Lambda, SQS, DynamoDB and API Gateway (aws.amazon.com/lambda/pricing, /sqs/pricing,
 * /dynamodb/pricing/on-demand, /api-gateway/pricing), read on {@link #AS_OF}. The same figures as infra/bench's
 * Prices.java; like them, taken from summaries of those pages, which this project's machines cannot reach: check them
 * against the pages before relying on a cent. Change them here, with the date.
 */
public final class OnDemandPrices {
    public static final LocalDate AS_OF = LocalDate.of(2026, 11, 24);
    public static final String REGION = "us-east-1";

    /** Lambda, arm64 (x86 is $0.0000166667): per GB-second of billed duration, and per request (invocation). */
    public static final BigDecimal LAMBDA_GB_SECOND = new BigDecimal("0.0000133334");
    public static final BigDecimal LAMBDA_REQUEST = perMillion("0.20");
    /** SQS standard queue: per request (each 64 KB chunk of a payload is one; Jobline's messages are far smaller). */
    public static final BigDecimal SQS_REQUEST = perMillion("0.40");
    /** DynamoDB on-demand: per write request unit (1 KB) and read request unit (4 KB, strongly consistent). */
    public static final BigDecimal DYNAMODB_WRITE_UNIT = perMillion("0.625");
    public static final BigDecimal DYNAMODB_READ_UNIT = perMillion("0.125");
    /** API Gateway HTTP API: per request (the first 300 million a month). */
    public static final BigDecimal HTTP_API_REQUEST = perMillion("1.00");

    private OnDemandPrices() {
    }

    private static BigDecimal perMillion(String dollars) {
        return new BigDecimal(dollars).movePointLeft(6);
    }
}
