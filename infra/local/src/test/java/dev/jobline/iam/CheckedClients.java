package dev.jobline.iam;

import dev.jobline.config.Clients;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients of each function of one provisioning, as {@link LocalAws}'s but with a {@link PolicyCheck}: every
 * call a function makes is checked against that function's role in template.yaml, as IAM would check it in AWS.
 */
public final class CheckedClients {
    /** One HTTP client for all of them: url-connection keeps no connections of its own to close. */
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    private final LocalAws aws;
    private final LocalResources resources;
    private final StackArns stack;
    private final Map<String, Clients> byFunction = new HashMap<>();
    private final List<ExecutionInterceptor> more;

    public CheckedClients(LocalAws aws, LocalResources resources) {
        this(aws, resources, List.of());
    }

    /** @param more interceptors every function's clients run after the check (e.g. a test's injected faults) */
    public CheckedClients(LocalAws aws, LocalResources resources, List<ExecutionInterceptor> more) {
        this.aws = aws;
        this.resources = resources;
        this.stack = new StackArns(resources);
        this.more = List.copyOf(more);
    }

    /** The clients of one function of the template (built once). */
    public synchronized Clients of(String function) {
        return byFunction.computeIfAbsent(function, this::build);
    }

    private Clients build(String function) {
        FunctionRole role = FunctionRole.of(resources, function);
        // the least-privilege report is about template.yaml, not the damaged copies some tests provision
        if (resources.templatePath().toAbsolutePath().normalize().equals(LocalAwsExtension.template().normalize())) {
            IamLog.declared(role.ownGrants().stream().map(grant -> new Statement.Grant(grant.function(), grant.source(),
                    grant.action(), stack.logical(grant.resource()))).toList());
        }
        PolicyCheck check = new PolicyCheck(role, stack);
        return new Clients(
                DynamoDbClient.builder().endpointOverride(aws.dynamoEndpoint()).region(Region.of(LocalAws.REGION))
                        .credentialsProvider(CREDENTIALS).httpClient(HTTP)
                        .overrideConfiguration(c -> interceptors(c, check)).build(),
                SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.of(LocalAws.REGION))
                        .credentialsProvider(CREDENTIALS).httpClient(HTTP)
                        .overrideConfiguration(c -> interceptors(c, check)).build());
    }

    private void interceptors(ClientOverrideConfiguration.Builder config, PolicyCheck check) {
        config.addExecutionInterceptor(check);
        more.forEach(config::addExecutionInterceptor);
    }
}
