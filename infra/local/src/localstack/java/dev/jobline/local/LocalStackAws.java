package dev.jobline.local;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack (DynamoDB and SQS) in Docker through Testcontainers, as a {@link LocalAws}; {@link LocalAwsExtension}
 * calls it by name when {@code -Djobline.stack=localstack}. Compiled only by the {@code localstack} Maven profile.
 *
 * <p>The image is {@code -Djobline.localstack.image} (the profile pins one); {@code LOCALSTACK_AUTH_TOKEN} is passed
 * on when set, for images that need it.
 */
public final class LocalStackAws {
    private static final String DEFAULT_IMAGE = "localstack/localstack:4.4";

    private LocalStackAws() {
    }

    /** Null when Docker answers; else why LocalStack cannot run here, in one line. */
    public static String unavailableReason() {
        try {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return null;
            }
            return "Docker is not available here (Testcontainers found no running Docker daemon)";
        } catch (RuntimeException | LinkageError e) {
            return "Docker is not available here (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
    }

    /** Starts a LocalStack container; closing the returned LocalAws stops it. */
    public static LocalAws start() {
        String image = System.getProperty("jobline.localstack.image", DEFAULT_IMAGE);
        @SuppressWarnings("resource")
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("localstack/localstack"))
                .withServices("dynamodb", "sqs")
                // queue URLs on the endpoint the client used (the mapped port), not on *.localstack.cloud names
                .withEnv("SQS_ENDPOINT_STRATEGY", "path");
        String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
        if (token != null && !token.isBlank()) {
            container.withEnv("LOCALSTACK_AUTH_TOKEN", token);
        }
        container.start();
        return LocalAws.connect(container.getEndpoint(), container.getEndpoint(), container::stop);
    }
}
