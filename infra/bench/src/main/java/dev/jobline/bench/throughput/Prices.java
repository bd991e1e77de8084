package dev.jobline.bench.throughput;

/**
 * On-demand prices in us-east-1, arm64 (the functions' architecture), as of November 2026, beyond the free tiers and below the volume discounts.
 * Read from third-party summaries of AWS's pricing pages (2025-2026) rather than from AWS's own pages, which this
 * machine cannot reach: treat them as assumed and check the pages named below before quoting a bill.
 */
final class Prices {
    static final String AS_OF = "us-east-1 on-demand prices as of 2026-11 (assumed; sources in Prices.java)";

    /** aws.amazon.com/sqs/pricing: standard queue, $0.40 per million requests (1M to 100B a month); every 64 KB chunk of a payload is a request. */
    static final double SQS_PER_REQUEST = 0.40 / 1e6;
    /** aws.amazon.com/dynamodb/pricing/on-demand: $0.625 per million write request units (since the November 2024 cut). */
    static final double DYNAMODB_PER_WRU = 0.625 / 1e6;
    /** aws.amazon.com/dynamodb/pricing/on-demand: $0.125 per million read request units. */
    static final double DYNAMODB_PER_RRU = 0.125 / 1e6;
    /** aws.amazon.com/lambda/pricing: $0.20 per million requests. */
    static final double LAMBDA_PER_REQUEST = 0.20 / 1e6;
    /**
     * aws.amazon.com/lambda/pricing: arm64, $0.0000133334 per GB-second (first 7.5 billion GB-s a month; x86 is
     * $0.0000166667), billed per started ms.
     */
    static final double LAMBDA_PER_GB_SECOND = 0.0000133334;
    /** aws.amazon.com/api-gateway/pricing: HTTP API, $1.00 per million requests (first 300 million a month). */
    static final double HTTP_API_PER_REQUEST = 1.00 / 1e6;

    /** SQS requests are billed in 64 KB chunks of payload; the messages here are a job id, far below one chunk. */
    static final int SQS_CHUNK_BYTES = 64 * 1024;

    private Prices() {
    }
}
