package dev.jobline.bench.stack;

import dev.jobline.config.Clients;
import dev.jobline.local.LocalAws;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SDK clients for the local stack built the way {@link Clients#fromEnvironment()} builds Jobline's (the
 * url-connection HTTP client, a fixed region, static credentials), plus the interceptors a benchmark counts with.
 */
public final class BenchClients {
    private BenchClients() {
    }

    public static Clients of(LocalAws aws, List<ExecutionInterceptor> interceptors) {
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        Region region = Region.of(LocalAws.REGION);
        DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(aws.dynamoEndpoint())
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(interceptors))
                .build();
        SqsClient sqs = SqsClient.builder()
                .endpointOverride(aws.sqsEndpoint())
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(interceptors))
                .build();
        return new Clients(dynamo, sqs);
    }
}
