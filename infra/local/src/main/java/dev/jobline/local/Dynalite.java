package dev.jobline.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * dynalite (npm package {@code dynalite}, a DynamoDB emulator on LevelDB) as a child Node process on 127.0.0.1.
 *
 * <p>Its {@code cli.js} is looked up in this order: the system property {@code jobline.dynalite.cli} or the
 * environment variable {@code JOBLINE_DYNALITE_CLI}; then {@code node_modules/dynalite/cli.js} or
 * {@code infra/local/node_modules/dynalite/cli.js} in the working directory and each of its parents; then the same
 * relative to where this class was loaded from (infra/local/target/classes). The Maven build of infra/local runs
 * {@code npm ci} to install it. {@code node} is taken from the PATH unless {@code jobline.node} / {@code JOBLINE_NODE}
 * names another.
 */
final class Dynalite implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int ATTEMPTS = 5;
    private static final long START_TIMEOUT_MS = 30_000;
    /**
     * Runs cli.js (argv[1]) after two guards. Ctrl-C in a terminal signals the whole process group, dynalite
     * included, but a runner still needs DynamoDB while its in-flight invocations finish: the JVM stops dynalite
     * itself. And should the JVM die without doing so, dynalite notices it has a new parent and exits.
     */
    private static final String BOOTSTRAP = "process.on('SIGINT', () => {});"
            + "const parent = process.ppid;"
            + "setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();"
            + "require(process.argv[1]);";

    private final Process process;
    private final int port;
    private final OutputTail output;
    private final Thread shutdownHook;

    private Dynalite(Process process, int port, OutputTail output, boolean killOnJvmExit) {
        this.process = process;
        this.port = port;
        this.output = output;
        this.shutdownHook = killOnJvmExit ? new Thread(Dynalite.this::kill, "dynalite-shutdown") : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * Starts dynalite on a free port (or on {@code port} when it is above 0), in memory or, with a data directory,
     * persisted there by LevelDB.
     *
     * @param killOnJvmExit whether a JVM shutdown hook kills dynalite; without one, {@link #close()} must (a runner
     *                      that drains its invocations on Ctrl-C closes it last)
     */
    static Dynalite start(Path dataDir, int port, boolean killOnJvmExit) {
        Path cli = findCli();
        String node = setting("jobline.node", "JOBLINE_NODE", "node");
        if (dataDir != null) {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create dynalite's data directory " + dataDir, e);
            }
        }
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= (port > 0 ? 1 : ATTEMPTS); attempt++) {
            int chosen = port > 0 ? port : freePort();
            try {
                return launch(node, cli, dataDir, chosen, killOnJvmExit);
            } catch (IllegalStateException e) {
                // a free port can be taken between choosing and binding it: try another one
                failure = e;
                if (!e.getMessage().contains("EADDRINUSE")) {
                    break;
                }
            }
        }
        throw failure;
    }

    private static Dynalite launch(String node, Path cli, Path dataDir, int port, boolean killOnJvmExit) {
        List<String> command = new ArrayList<>(List.of(node, "-e", BOOTSTRAP, cli.toString(),
                "--host", HOST, "--port", String.valueOf(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (dataDir != null) {
            command.add("--path");
            command.add(dataDir.toAbsolutePath().toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(cli.getParent().toFile());
        // the ARNs dynalite reports (TableArn, IndexArn) then match the ones LocalResources computes
        builder.environment().put("AWS_ACCOUNT_ID", LocalAws.ACCOUNT_ID);
        builder.environment().put("AWS_REGION", LocalAws.REGION);
        builder.environment().remove("AWS_DEFAULT_REGION");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + node + " (is Node.js installed and on the PATH?): "
                    + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // stdin is not used
        }
        OutputTail output = new OutputTail();
        output.drain(process.getInputStream(), "dynalite-stdout");
        output.drain(process.getErrorStream(), "dynalite-stderr");
        Dynalite dynalite = new Dynalite(process, port, output, killOnJvmExit);
        try {
            dynalite.awaitListening();
            return dynalite;
        } catch (RuntimeException e) {
            dynalite.close();
            throw e;
        }
    }

    private void awaitListening() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        try {
            // the line is printed in the listen callback, so the port is bound by this process
            while (!output.listening.await(20, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive()) {
                    output.awaitDrained();
                    throw new IllegalStateException("dynalite exited with " + process.exitValue() + " on port " + port
                            + ": " + output.tail());
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("dynalite did not listen on port " + port + " within "
                            + START_TIMEOUT_MS + " ms: " + output.tail());
                }
            }
            while (!answers()) {
                if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("dynalite does not answer on port " + port + ": " + output.tail());
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting dynalite", e);
        }
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    URI endpoint() {
        return URI.create("http://" + HOST + ":" + port);
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines dynalite printed (for diagnostics). */
    String recentOutput() {
        return output.tail();
    }

    @Override
    public void close() {
        kill();
        if (shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }

    private void kill() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    static Path findCli() {
        String configured = setting("jobline.dynalite.cli", "JOBLINE_DYNALITE_CLI", null);
        if (configured != null) {
            Path cli = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(cli)) {
                throw new IllegalStateException("dynalite's cli.js is configured as " + cli + ", which does not exist");
            }
            return cli;
        }
        Set<Path> starts = new LinkedHashSet<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            var location = Dynalite.class.getProtectionDomain().getCodeSource().getLocation();
            if (location != null) {
                starts.add(Path.of(location.toURI()).toAbsolutePath());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException | NullPointerException e) {
            // no usable code source: the working directory has to do
        }
        List<Path> tried = new ArrayList<>();
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                for (Path candidate : List.of(dir.resolve("node_modules/dynalite/cli.js"),
                        dir.resolve("infra/local/node_modules/dynalite/cli.js"))) {
                    if (Files.isRegularFile(candidate)) {
                        return candidate;
                    }
                    tried.add(candidate);
                }
            }
        }
        throw new IllegalStateException("dynalite is not installed: run `npm ci` in infra/local "
                + "(or `mvn -pl infra/local initialize`), or set -Djobline.dynalite.cli=/path/to/dynalite/cli.js. "
                + "Looked for " + tried.subList(0, Math.min(4, tried.size())) + " and their parents");
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Drains a process's output so it never blocks, keeping the last lines for error messages. */
    private static final class OutputTail {
        private static final int LINES = 40;
        private final Deque<String> lines = new ArrayDeque<>();
        private final List<Thread> threads = new ArrayList<>();
        final CountDownLatch listening = new CountDownLatch(1);

        void awaitDrained() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join(2000);
            }
        }

        void drain(InputStream stream, String name) {
            Thread thread = new Thread(() -> {
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.startsWith("Dynalite listening at")) {
                            listening.countDown();
                        }
                        synchronized (lines) {
                            lines.addLast(line);
                            if (lines.size() > LINES) {
                                lines.removeFirst();
                            }
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, name);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }

        String tail() {
            synchronized (lines) {
                return lines.isEmpty() ? "(no output)" : String.join("\n", lines);
            }
        }
    }
}
