package dev.jobline.local;

import java.net.URI;
import java.nio.file.Path;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.rest.sqs.TheSQSRestServerBuilder;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A real local AWS for tests and local runs: SQS from ElasticMQ embedded in this JVM and DynamoDB from dynalite in a
 * child Node process, both on 127.0.0.1 (free ports unless fixed by {@link Options}), with SDK v2 clients for them.
 * {@link #provision(Path)} creates a fresh copy of a template's tables and queues.
 *
 * <pre>{@code
 * try (LocalAws aws = LocalAws.start()) {
 *     LocalResources resources = aws.provision(Path.of("template.yaml"));
 *     aws.dynamoClient().putItem(r -> r.tableName(resources.tableName("JobsTable")).item(...));
 * }
 * }</pre>
 *
 * <p>Thread-safe; the clients are built once and closed by {@link #close()}, which also stops both emulators (dynalite
 * is killed by a JVM shutdown hook too, should close never be called).
 */
public final class LocalAws implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";

    /**
     * @param dynaliteDataDir where dynalite persists its tables (LevelDB), or null to keep them in memory
     * @param dynamoPort      dynalite's port, or 0 for a free one
     * @param sqsPort         ElasticMQ's port, or 0 for a free one
     */
    public record Options(Path dynaliteDataDir, int dynamoPort, int sqsPort) {

        public Options {
            if (dynamoPort < 0 || sqsPort < 0) {
                throw new IllegalArgumentException("ports must be 0 (free) or positive");
            }
        }

        /** In memory, on free ports. */
        public static Options defaults() {
            return new Options(null, 0, 0);
        }

        public Options withDynaliteDataDir(Path dir) {
            return new Options(dir, dynamoPort, sqsPort);
        }

        public Options withPorts(int newDynamoPort, int newSqsPort) {
            return new Options(dynaliteDataDir, newDynamoPort, newSqsPort);
        }
    }

    private final Dynalite dynalite;
    private final SQSRestServer elasticMq;
    private final URI sqsEndpoint;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private volatile boolean closed;

    private LocalAws(Dynalite dynalite, SQSRestServer elasticMq, URI sqsEndpoint) {
        this.dynalite = dynalite;
        this.elasticMq = elasticMq;
        this.sqsEndpoint = sqsEndpoint;
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        this.dynamo = DynamoDbClient.builder()
                .endpointOverride(dynalite.endpoint())
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
        Dynalite dynalite = Dynalite.start(options.dynaliteDataDir(), options.dynamoPort());
        SQSRestServer elasticMq = null;
        try {
            TheSQSRestServerBuilder builder = SQSRestServerBuilder
                    .withInterface("127.0.0.1")
                    .withAWSRegion(REGION)
                    .withAWSAccountId(ACCOUNT_ID);
            builder = options.sqsPort() > 0 ? builder.withPort(options.sqsPort()) : builder.withDynamicPort();
            elasticMq = builder.start();
            int port = elasticMq.waitUntilStarted().localAddress().getPort();
            return new LocalAws(dynalite, elasticMq, URI.create("http://127.0.0.1:" + port));
        } catch (RuntimeException e) {
            if (elasticMq != null) {
                try {
                    elasticMq.stopAndWait();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            dynalite.close();
            throw e;
        }
    }

    public URI dynamoEndpoint() {
        return dynalite.endpoint();
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

    /** Closes the clients, stops ElasticMQ and kills dynalite. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            dynamo.close();
            sqs.close();
            elasticMq.stopAndWait();
        } finally {
            dynalite.close();
        }
    }

    @Override
    public String toString() {
        return "LocalAws[dynamodb " + dynamoEndpoint() + ", sqs " + sqsEndpoint + (closed ? ", closed" : "") + "]";
    }
}
