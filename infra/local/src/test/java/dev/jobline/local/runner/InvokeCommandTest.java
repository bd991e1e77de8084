package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.jobline.local.LocalAwsExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./jobline invoke}: one function, one event file, the response on stdout, the exit status says how it went. */
class InvokeCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Ports nothing answers on, so the command starts its own stack rather than joining one running here. */
    private static RunnerOptions options(Path template) throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            return RunnerOptions.defaults(template).withStackPorts(a.getLocalPort(), b.getLocalPort());
        }
    }

    private int invoke(RunnerOptions options, String function, Path event) {
        return new InvokeCommand(options, function, event, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();
    }

    @Test
    void theApiFunctionAnswersTheSubmitEventFromEventsWith202() throws IOException {
        Path template = LocalAwsExtension.template();

        int status = invoke(options(template), "ApiFunction", template.getParent().resolve("events/api-submit-job.json"));

        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        Map<String, Object> response = JSON.std.mapFrom(out.toString(StandardCharsets.UTF_8));
        assertEquals(202, response.get("statusCode"));
        assertTrue(String.valueOf(response.get("body")).contains("\"jobId\""), String.valueOf(response));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("REPORT RequestId:"));
    }

    @Test
    void aFunctionThatThrowsPrintsLambdasErrorDocumentAndExitsNonZero() throws IOException {
        Path event = Files.writeString(dir.resolve("event.json"), "{\"why\": \"testing\"}");

        int status = invoke(options(Fixtures.template(dir)), "FailingFunction", event);

        assertEquals(1, status);
        Map<String, Object> error = JSON.std.mapFrom(out.toString(StandardCharsets.UTF_8));
        assertEquals("java.lang.IllegalStateException", error.get("errorType"));
        assertEquals("failing on purpose: testing", error.get("errorMessage"));
    }

    @Test
    void aFunctionTheTemplateDoesNotHaveIsAUsageError() throws IOException {
        assertEquals(2, invoke(options(Fixtures.template(dir)), "NoSuchFunction", null));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("EchoFunction"), "the known functions are listed");
    }
}
