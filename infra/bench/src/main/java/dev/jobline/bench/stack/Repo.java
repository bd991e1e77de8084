package dev.jobline.bench.stack;

import dev.jobline.log.Log;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository the benchmarks run in: template.yaml, events/ and the built jars, found from the working directory up. */
public record Repo(Path root) {

    public static Repo locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isDirectory(dir.resolve("events"))) {
                return new Repo(dir);
            }
        }
        throw new IllegalStateException("no template.yaml with an events/ folder beside it above "
                + Path.of("").toAbsolutePath() + "; run from the repository (infra/bench/run.sh does)");
    }

    public Path template() {
        return root.resolve("template.yaml");
    }

    public Path event(String file) {
        return require(root.resolve("events").resolve(file), "the event file");
    }

    /** Where the functions' log lines went (relative to the repository), and the stream to flush before reading it. */
    public record FunctionLogs(Path file, PrintStream out) {
    }

    /**
     * Sends the functions' log lines to {@code infra/bench/target/<fileName>}, as Lambda sends stdout to
     * CloudWatch: written, but not to this console.
     */
    public FunctionLogs redirectFunctionLogs(String fileName) throws IOException {
        Path file = Path.of("infra/bench/target").resolve(fileName);
        Files.createDirectories(root.resolve(file).getParent());
        PrintStream out = new PrintStream(new BufferedOutputStream(Files.newOutputStream(root.resolve(file))), false,
                StandardCharsets.UTF_8);
        Log.redirect(out);
        return new FunctionLogs(file, out);
    }

    /** A file the build makes; the message says which command makes it. */
    public Path built(String relative) {
        return require(root.resolve(relative), "built by `mvn -Pbench -pl infra/bench -am -DskipTests package`,");
    }

    private static Path require(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing (" + what + " see infra/bench/README.md)");
        }
        return path;
    }
}
