package dev.jobline.local.runner;

import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./jobline run} in a process of its own, on a stack that outlives it (the test's {@link LocalAws}): it can be
 * killed with SIGKILL, or stopped with SIGSTOP and continued with SIGCONT, as a Lambda sandbox can die or freeze. Its
 * log lines (JSON, one per line) go to a file.
 */
final class RunnerProcess implements AutoCloseable {
    private final Process process;
    private final URI apiUrl;
    private final Path log;

    private RunnerProcess(Process process, URI apiUrl, Path log) {
        this.process = process;
        this.apiUrl = apiUrl;
        this.log = log;
    }

    /**
     * Starts a runner on the stack's endpoints with these template parameters and extra options, and waits until its
     * API answers.
     */
    static RunnerProcess start(LocalAws aws, Path log, String parameterOverrides, String... options) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath(),
                "dev.jobline.local.runner.LocalCli", "run", "--plain",
                "--template", LocalAwsExtension.template().toString(),
                "--port", Integer.toString(port),
                "--dynamodb-endpoint", aws.dynamoEndpoint().toString(),
                "--sqs-endpoint", aws.sqsEndpoint().toString(),
                "--parameter-overrides", parameterOverrides));
        command.addAll(List.of(options));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RunnerProcess runner = new RunnerProcess(process, URI.create("http://127.0.0.1:" + port + "/"), log);
            runner.awaitApi();
            return runner;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI apiUrl() {
        return apiUrl;
    }

    /** The log lines written so far. */
    List<String> logLines() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no drain, nothing written after this. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the runner did not die");
        }
    }

    /** SIGSTOP: every thread stands still where it is, holding what it holds. */
    void freeze() {
        signal("STOP");
    }

    /** SIGCONT: it carries on, its clock now later than when it stopped. */
    void thaw() {
        signal("CONT");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            thaw();
            kill();
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitApi() {
        ApiCalls api = new ApiCalls(apiUrl);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the runner exited with " + process.exitValue() + "; its output: " + logLines());
            }
            try {
                if (api.get("/health").status() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("the runner's API did not answer within 60 s; its output: " + logLines());
    }

    /**
     * The runner's own classpath, as {@code ./jobline} builds it: its classes and the runtime dependencies Maven wrote to
     * target/runner.classpath. Not the test JVM's: a jar that only tests have would hide one the runner lacks.
     */
    private static String classpath() {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        Path dependencies = Path.of("target", "runner.classpath");
        try {
            return classes + java.io.File.pathSeparator + Files.readString(dependencies).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("no " + dependencies.toAbsolutePath() + ": the build writes it before the tests", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
