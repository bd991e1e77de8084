package dev.jobline.config;

import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The execution role's credentials, where Lambda puts them. An ordinary function has them in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. A SnapStart function has none of these (keys read at init would be
 * frozen into the snapshot): its runtime serves them on AWS_CONTAINER_CREDENTIALS_FULL_URI, authorized by
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. The source is chosen once, from the variables; the SDK's container provider is
 * loaded only when it is the one chosen, so an ordinary cold start pays nothing for it (the default chain would
 * walk six providers instead).
 */
public final class LambdaCredentials implements AwsCredentialsProvider {
    static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";
    static final String CONTAINER_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

    private final Map<String, String> env;
    private volatile AwsCredentialsProvider source;

    private LambdaCredentials(Map<String, String> env) {
        this.env = env;   // a process's environment does not change: read again only by refresh()
        this.source = choose(env);
    }

    public static LambdaCredentials from(Map<String, String> env) {
        return new LambdaCredentials(env);
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return source.resolveCredentials();
    }

    /** Where the credentials come from: {@code environment}, {@code container} or {@code none}. */
    public String source() {
        AwsCredentialsProvider current = source;
        return current instanceof Keys ? "environment" : current instanceof ContainerCredentialsProvider ? "container" : "none";
    }

    /**
     * Forgets what the container provider cached: after a restore, credentials fetched before the snapshot are the
     * same in every copy of it and may be close to expiring. The next call fetches fresh ones.
     */
    public void refresh() {
        if (source instanceof ContainerCredentialsProvider) {
            source = choose(env);
        }
    }

    private static AwsCredentialsProvider choose(Map<String, String> env) {
        if (present(env, ACCESS_KEY_ID)) {
            return new Keys(present(env, SESSION_TOKEN)
                    ? AwsSessionCredentials.create(env.get(ACCESS_KEY_ID), env.get(SECRET_ACCESS_KEY), env.get(SESSION_TOKEN))
                    : AwsBasicCredentials.create(env.get(ACCESS_KEY_ID), env.get(SECRET_ACCESS_KEY)));
        }
        if (present(env, CONTAINER_URI)) {
            // reads the URI and the token (or its file) from the same variables, as every AWS SDK does
            return ContainerCredentialsProvider.builder().build();
        }
        return () -> {
            throw SdkClientException.create("no credentials: neither " + ACCESS_KEY_ID + " nor " + CONTAINER_URI + " is set");
        };
    }

    private static boolean present(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }

    /** The keys of the environment, as they were when the function started (they do not change in a container). */
    private record Keys(AwsCredentials credentials) implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            return credentials;
        }

        @Override
        public String toString() {
            return "LambdaCredentials.Keys[hidden]";
        }
    }
}
