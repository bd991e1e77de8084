package dev.jobline.bench.handlers;

import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.jobs.JobCatalog;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Jobline's wiring with the SDK's defaults instead of {@link Clients#fromEnvironment()}: {@code create()} picks the
 * HTTP client found on the classpath (apache5-client in this jar, the SDK's default) and walks the default
 * credential and region provider chains. Everything else is Jobline's own.
 */
final class DefaultsWiring {
    private DefaultsWiring() {
    }

    static Wiring fromEnvironment() {
        return new Wiring(Config.from(System.getenv()), new Clients(DynamoDbClient.create(), SqsClient.create()),
                JobCatalog.registry(), Clock.systemUTC());
    }
}
