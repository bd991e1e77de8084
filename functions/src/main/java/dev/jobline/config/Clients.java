package dev.jobline.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients, built once per container. The region and the credentials come straight from the variables Lambda
 * sets ({@link LambdaCredentials}; walking the default chains costs cold-start time). An endpoint comes from the
 * SDK's own variable, {@code AWS_ENDPOINT_URL_DYNAMODB} or {@code AWS_ENDPOINT_URL_SQS} (else
 * {@code AWS_ENDPOINT_URL}), read here: the local stacks set them, and in AWS the template declares them empty, which
 * must mean the SDK's default endpoint. SDK 2.57 fails to build a client when such a variable is empty ("The URI
 * scheme of endpointOverride must not be null"), so each client is told to ignore configured endpoint URLs and gets
 * an override only from a non-blank value.
 *
 * @param credentials null for clients built elsewhere (tests, the local runner)
 * @param rehearsal   null for clients built elsewhere: they cannot be primed without sending
 */
public record Clients(DynamoDbClient dynamo, SqsClient sqs, LambdaCredentials credentials, RequestRehearsal rehearsal) {

    /** The endpoint variables of the SDK these functions read; a template may declare them (empty in AWS). */
    public static final String DYNAMODB_ENDPOINT = "AWS_ENDPOINT_URL_DYNAMODB";
    public static final String SQS_ENDPOINT = "AWS_ENDPOINT_URL_SQS";
    public static final String ANY_ENDPOINT = "AWS_ENDPOINT_URL";
    public static final List<String> ENDPOINT_VARIABLES = List.of(DYNAMODB_ENDPOINT, SQS_ENDPOINT);

    /** A configuration profile of one setting, so no client reads an endpoint the SDK's way (see the class comment). */
    private static final String IGNORE_ENDPOINT_VARIABLES = "[profile jobline]\nignore_configured_endpoint_urls = true\n";

    /** Clients made elsewhere, with no credentials of their own to refresh and no rehearsal. */
    public Clients(DynamoDbClient dynamo, SqsClient sqs) {
        this(dynamo, sqs, null, null);
    }

    public static Clients fromEnvironment() {
        return from(System.getenv());
    }

    /** Clients as a function with this environment builds them. */
    public static Clients from(Map<String, String> env) {
        SdkHttpClient http = UrlConnectionHttpClient.create();
        String regionName = env.get("AWS_REGION");
        if (regionName == null || regionName.isBlank()) {
            throw new IllegalStateException("environment variable AWS_REGION is not set");
        }
        Region region = Region.of(regionName);
        LambdaCredentials credentials = LambdaCredentials.from(env);
        RequestRehearsal rehearsal = new RequestRehearsal();
        ProfileFile profile = ProfileFile.builder().content(IGNORE_ENDPOINT_VARIABLES).type(ProfileFile.Type.CONFIGURATION).build();
        ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
                .addExecutionInterceptor(rehearsal)
                .defaultProfileFileSupplier(() -> profile)
                .defaultProfileName("jobline")
                .build();
        DynamoDbClient dynamo = configure(DynamoDbClient.builder(), http, region, credentials, overrides,
                endpoint(env, DYNAMODB_ENDPOINT)).build();
        SqsClient sqs = configure(SqsClient.builder(), http, region, credentials, overrides,
                endpoint(env, SQS_ENDPOINT)).build();
        return new Clients(dynamo, sqs, credentials, rehearsal);
    }

    private static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, SdkHttpClient http,
            Region region, LambdaCredentials credentials, ClientOverrideConfiguration overrides, URI endpoint) {
        builder.httpClient(http).region(region).credentialsProvider(credentials).overrideConfiguration(overrides);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    /** The service's variable, else the one for every service; blank is absent. */
    static URI endpoint(Map<String, String> env, String serviceVariable) {
        for (String name : List.of(serviceVariable, ANY_ENDPOINT)) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                URI uri = URI.create(value.trim());
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalStateException(name + " must be a URL such as http://localhost:4566, not '" + value + "'");
                }
                return uri;
            }
        }
        return null;
    }
}
