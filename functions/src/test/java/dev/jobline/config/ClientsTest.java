package dev.jobline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How the clients find their endpoints and credentials, each case in a JVM whose environment is the one Lambda (or
 * a local stack) would give: the SDK reads the real environment, which a test cannot change in its own JVM.
 */
class ClientsTest {
    private static final Map<String, String> KEYS = Map.of("AWS_REGION", "us-east-1", "TABLE_NAME", "jobs",
            "QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/jobs",
            "AWS_ACCESS_KEY_ID", "AKIAFROMTHEENVIRONMENT", "AWS_SECRET_ACCESS_KEY", "secret");

    /** Runs {@link ClientsProbe} with exactly this environment; answers its output lines. */
    private static List<String> probe(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ClientsProbe.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not end");
        return output.lines().filter(line -> !line.startsWith("SLF4J")).toList();
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> env = new HashMap<>(base);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void theSdkAloneCannotBuildAClientWhenAnEndpointVariableIsEmpty() throws Exception {
        // what the template's empty AWS_ENDPOINT_URL_* would do to a client built the SDK's way (SDK 2.57); if this
        // starts to pass, the SDK reads an empty value as absent and Clients' own reading could go
        List<String> lines = probe(with(KEYS, "AWS_ENDPOINT_URL_SQS", ""), "sdk-alone");

        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("error java.lang.NullPointerException The URI scheme of endpointOverride must not be null"),
                lines.toString());
    }

    @Test
    void emptyEndpointVariablesLeaveTheSdksDefaultEndpoints() throws Exception {
        List<String> lines = probe(with(KEYS, "AWS_ENDPOINT_URL_DYNAMODB", "", "AWS_ENDPOINT_URL_SQS", "", "AWS_ENDPOINT_URL", " "),
                "clients");

        assertEquals(List.of(
                "DynamoDb.GetItem https://dynamodb.us-east-1.amazonaws.com/ AKIAFROMTHEENVIRONMENT",
                "Sqs.SendMessage https://sqs.us-east-1.amazonaws.com/ AKIAFROMTHEENVIRONMENT"), lines);
    }

    @Test
    void absentEndpointVariablesLeaveTheSdksDefaultEndpoints() throws Exception {
        List<String> lines = probe(KEYS, "clients");

        assertEquals(List.of(
                "DynamoDb.GetItem https://dynamodb.us-east-1.amazonaws.com/ AKIAFROMTHEENVIRONMENT",
                "Sqs.SendMessage https://sqs.us-east-1.amazonaws.com/ AKIAFROMTHEENVIRONMENT"), lines);
    }

    @Test
    void endpointVariablesPointEachClientAtALocalStack() throws Exception {
        List<String> lines = probe(with(KEYS, "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4567",
                "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324"), "clients");

        assertEquals(List.of(
                "DynamoDb.GetItem http://127.0.0.1:4567/ AKIAFROMTHEENVIRONMENT",
                "Sqs.SendMessage http://127.0.0.1:9324/ AKIAFROMTHEENVIRONMENT"), lines);
    }

    @Test
    void anEndpointThatIsNotAUrlIsRefusedByName() throws Exception {
        List<String> lines = probe(with(KEYS, "AWS_ENDPOINT_URL_SQS", "localhost"), "clients");

        assertEquals(List.of("error java.lang.IllegalStateException AWS_ENDPOINT_URL_SQS must be a URL such as "
                + "http://localhost:4566, not 'localhost'"), lines);
    }

    /**
     * A SnapStart function's environment: no keys, the container endpoint and its token instead. The endpoint is a
     * local server answering as Lambda's does, and only to the token; each fetch hands out new keys.
     */
    @Test
    void withoutKeysTheCredentialsComeFromTheContainerEndpointAndAreFetchedAgainAfterARestore() throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        List<String> refused = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/2018-06-01/credentials", exchange -> {
            String token = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] body;
            if (!"a-container-token".equals(token)) {
                refused.add(String.valueOf(token));
                body = "{\"message\":\"bad token\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(403, body.length);
            } else {
                body = ("{\"AccessKeyId\":\"ASIAFETCH" + fetches.incrementAndGet() + "\",\"SecretAccessKey\":\"s\","
                        + "\"Token\":\"t\",\"Expiration\":\"" + Instant.now().plusSeconds(3600) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Map<String, String> env = new HashMap<>(KEYS);
            env.remove("AWS_ACCESS_KEY_ID");
            env.remove("AWS_SECRET_ACCESS_KEY");
            env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/2018-06-01/credentials");
            env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a-container-token");

            List<String> lines = probe(env, "clients", "restore");

            assertEquals(List.of(
                    "DynamoDb.GetItem https://dynamodb.us-east-1.amazonaws.com/ ASIAFETCH1",
                    "Sqs.SendMessage https://sqs.us-east-1.amazonaws.com/ ASIAFETCH1",
                    "DynamoDb.GetItem https://dynamodb.us-east-1.amazonaws.com/ ASIAFETCH2",
                    "Sqs.SendMessage https://sqs.us-east-1.amazonaws.com/ ASIAFETCH2"), lines);
            assertEquals(2, fetches.get());
            assertEquals(List.of(), refused);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void withNeitherKeysNorAContainerEndpointTheFirstCallSaysWhatIsMissing() throws Exception {
        Map<String, String> env = new HashMap<>(KEYS);
        env.remove("AWS_ACCESS_KEY_ID");

        List<String> lines = probe(env, "clients");

        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("no credentials: neither AWS_ACCESS_KEY_ID nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"),
                lines.toString());
    }

    @Test
    void keysInTheEnvironmentWinOverTheContainerEndpoint() {
        LambdaCredentials credentials = LambdaCredentials.from(Map.of("AWS_ACCESS_KEY_ID", "AKIA1", "AWS_SECRET_ACCESS_KEY", "s",
                "AWS_SESSION_TOKEN", "t", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/credentials"));

        assertEquals("environment", credentials.source());
        assertEquals("AKIA1", credentials.resolveCredentials().accessKeyId());
    }
}
