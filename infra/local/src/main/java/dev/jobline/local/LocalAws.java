package dev.jobline.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A real local AWS for tests and local runs: SQS from ElasticMQ embedded in this JVM and DynamoDB from dynalite in a
 * child Node process, both on 127.0.0.1 (free ports unless fixed by {@link Options}), with SDK v2 clients for them.
 * {@link #provision(Path)} creates a fresh copy of a template's tables and queues. {@link #connect(URI, URI)} gives
 * the same clients for endpoints that run elsewhere (LocalStack, a stack another process started).
 *
 * <pre>{@code
 * try (LocalAws aws = LocalAws.start()) {
 *     LocalResources resources = aws.provision(Path.of("template.yaml"));
 *     aws.dynamoClient().putItem(r -> r.tableName(resources.tableName("JobsTable")).item(...));
 * }
 * }</pre>
 *
 * <p>Thread-safe; the clients are built once and closed by {@link #close()}, which also stops both emulators (dynalite
 * is killed by a JVM shutdown hook too, should close never be called, unless {@link Options#stopOnJvmExit()} is off).
 */
public final class LocalAws implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";

    /**
     * @param dynaliteDataDir where dynalite persists its tables (LevelDB), or null to keep them in memory
     * @param sqsDataDir      where ElasticMQ persists its queues and messages (H2), or null to keep them in memory
     * @param dynamoPort      dynalite's port, or 0 for a free one
     * @param sqsPort         ElasticMQ's port, or 0 for a free one
     * @param stopOnJvmExit   whether a JVM shutdown hook kills dynalite; off for a caller that stops the stack itself
     *                        after draining (the local runner on Ctrl-C)
     */
    public record Options(Path dynaliteDataDir, Path sqsDataDir, int dynamoPort, int sqsPort, boolean stopOnJvmExit) {

        public Options {
            if (dynamoPort < 0 || sqsPort < 0) {
                throw new IllegalArgumentException("ports must be 0 (free) or positive");
            }
        }

        /** In memory, on free ports. */
        public static Options defaults() {
            return new Options(null, null, 0, 0, true);
        }

        public Options withDynaliteDataDir(Path dir) {
            return new Options(dir, sqsDataDir, dynamoPort, sqsPort, stopOnJvmExit);
        }

        public Options withSqsDataDir(Path dir) {
            return new Options(dynaliteDataDir, dir, dynamoPort, sqsPort, stopOnJvmExit);
        }

        /** Both emulators persist under {@code dir}: dynalite in {@code dir/dynamodb}, ElasticMQ in {@code dir/sqs}. */
        public Options withDataDir(Path dir) {
            return withDynaliteDataDir(dir.resolve("dynamodb")).withSqsDataDir(dir.resolve("sqs"));
        }

        public Options withPorts(int newDynamoPort, int newSqsPort) {
            return new Options(dynaliteDataDir, sqsDataDir, newDynamoPort, newSqsPort, stopOnJvmExit);
        }

        public Options withStopOnJvmExit(boolean stop) {
            return new Options(dynaliteDataDir, sqsDataDir, dynamoPort, sqsPort, stop);
        }
    }

    private final URI dynamoEndpoint;
    private final URI sqsEndpoint;
    private final List<AutoCloseable> stopOnClose;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private volatile boolean closed;

    /** @param stopOnClose what {@link #close()} stops after the clients, in this order */
    private LocalAws(URI dynamoEndpoint, URI sqsEndpoint, List<AutoCloseable> stopOnClose) {
        this.dynamoEndpoint = dynamoEndpoint;
        this.sqsEndpoint = sqsEndpoint;
        this.stopOnClose = List.copyOf(stopOnClose);
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        this.dynamo = DynamoDbClient.builder()
                .endpointOverride(dynamoEndpoint)
                .region(Region.of(REGION))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        this.sqs = SqsClient.builder()
                .endpointOverride(sqsEndpoint)
                .region(Region.of(REGION))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** Starts both emulators in memory on free ports. */
    public static LocalAws start() {
        return start(Options.defaults());
    }

    /** Starts both emulators on free ports, dynalite persisting to {@code dynaliteDataDir} unless it is null. */
    public static LocalAws start(Path dynaliteDataDir) {
        return start(Options.defaults().withDynaliteDataDir(dynaliteDataDir));
    }

    public static LocalAws start(Options options) {
        Dynalite dynalite = Dynalite.start(options.dynaliteDataDir(), options.dynamoPort(), options.stopOnJvmExit());
        try {
            ElasticMq elasticMq = ElasticMq.start(options.sqsPort(), REGION, ACCOUNT_ID, options.sqsDataDir());
            // ElasticMQ first: it may still be writing what the last DynamoDB calls caused
            return new LocalAws(dynalite.endpoint(), elasticMq.endpoint(), List.of(elasticMq, dynalite));
        } catch (RuntimeException e) {
            dynalite.close();
            throw e;
        }
    }

    /**
     * Clients for a DynamoDB and an SQS that run elsewhere (LocalStack, or the stack of a local runner in another
     * process), with the same region, account and credentials. {@link #close()} closes the clients only.
     */
    public static LocalAws connect(URI dynamoEndpoint, URI sqsEndpoint) {
        return connect(dynamoEndpoint, sqsEndpoint, () -> { });
    }

    /** As {@link #connect(URI, URI)}, with {@code onClose} run by {@link #close()} (e.g. stopping a container). */
    public static LocalAws connect(URI dynamoEndpoint, URI sqsEndpoint, AutoCloseable onClose) {
        return new LocalAws(dynamoEndpoint, sqsEndpoint, List.of(onClose));
    }

    public URI dynamoEndpoint() {
        return dynamoEndpoint;
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    /** A DynamoDB client for dynalite (us-east-1, credentials local/local, url-connection HTTP client). */
    public DynamoDbClient dynamoClient() {
        return dynamo;
    }

    /** An SQS client for ElasticMQ (us-east-1, credentials local/local, url-connection HTTP client). */
    public SqsClient sqsClient() {
        return sqs;
    }

    /** Creates a fresh, uniquely prefixed copy of the template's tables and queues. */
    public LocalResources provision(Path template) {
        return provision(template, ProvisionOptions.defaults());
    }

    public LocalResources provision(Path template, ProvisionOptions options) {
        if (closed) {
            throw new IllegalStateException("this LocalAws is closed");
        }
        return LocalResources.provision(this, template, options);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes the clients, then stops ElasticMQ (closing its database) and kills dynalite, if this started them. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        dynamo.close();
        sqs.close();
        RuntimeException failure = null;
        for (AutoCloseable stop : stopOnClose) {
            try {
                stop.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not stop the local stack cleanly: " + e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "LocalAws[dynamodb " + dynamoEndpoint() + ", sqs " + sqsEndpoint + (closed ? ", closed" : "") + "]";
    }
}
