package dev.jobline.bench.observability;

import dev.jobline.bench.runtime.probes.ObservabilityProbe;
import dev.jobline.bench.stack.Machine;
import dev.jobline.bench.stack.Repo;
import dev.jobline.bench.stack.Stats;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What structured logging and EMF metrics add to a cold start: a fresh JVM per run, timed from
 * {@link ProcessBuilder#start()} to the child's done line, for each way of logging five job lines and of flushing one
 * EMF record. The child ({@link ObservabilityProbe}) has bench-runtime.jar first on its classpath, then either
 * functions/target/jobline-functions.jar (Jobline's own writers) or the library's jars exactly as Maven resolves that
 * library alone (a throwaway pom per library, `mvn dependency:build-classpath`). Same JVM flags as the template's
 * JAVA_TOOL_OPTIONS, same minimal environment. Usage: {@code ObservabilityColdStart [--runs N]} (default 10).
 */
public final class ObservabilityColdStart {
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    /** A library as a user would add it: Maven coordinates, resolved with its own transitive dependencies. */
    private static final String RUNTIME_CLIENT = "com.amazonaws:aws-lambda-java-runtime-interface-client:2.10.1";
    private static final String POWERTOOLS_LOGGING = "software.amazon.lambda:powertools-logging-log4j:2.9.0";
    private static final String POWERTOOLS_METRICS = "software.amazon.lambda:powertools-metrics:2.9.0";
    private static final String EMF_LIBRARY = "software.amazon.cloudwatchlogs:aws-embedded-metrics:4.2.0";

    /** The log4j2.xml of the Powertools logging documentation: JsonTemplateLayout with LambdaJsonLayout.json. */
    private static final String LOG4J2_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Configuration>
                <Appenders>
                    <Console name="JsonAppender" target="SYSTEM_OUT">
                        <JsonTemplateLayout eventTemplateUri="classpath:LambdaJsonLayout.json" />
                    </Console>
                </Appenders>
                <Loggers>
                    <Logger name="JsonLogger" level="INFO" additivity="false">
                        <AppenderRef ref="JsonAppender"/>
                    </Logger>
                    <Root level="info">
                        <AppenderRef ref="JsonAppender"/>
                    </Root>
                </Loggers>
            </Configuration>
            """;

    record Variant(String name, String probe, List<Path> classpath, String what) {
    }

    public static void main(String[] args) throws Exception {
        int runs = intOption(args, "--runs", 10);
        Repo repo = Repo.locate();
        Path work = Files.createTempDirectory("jobline-observability-cold-start");
        Path runtime = repo.built("infra/bench/target/bench-runtime.jar");
        Path functions = repo.built("functions/target/jobline-functions.jar");
        Path log4jConfig = Files.createDirectories(work.resolve("log4j-config"));
        Files.writeString(log4jConfig.resolve("log4j2.xml"), LOG4J2_XML);

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("none", "NoLogging", List.of(runtime, functions), "the JVM and the probe, nothing logged"));
        variants.add(new Variant("jobline-log", "JoblineLog", List.of(runtime, functions), "dev.jobline.log.Log, 5 lines"));
        variants.add(new Variant("lambda-json", "LambdaJsonFormat", with(runtime, resolve(work, RUNTIME_CLIENT)),
                "the Java runtime's LambdaContextLogger, LogFormat JSON, 5 lines"));
        variants.add(new Variant("powertools-log", "PowertoolsLog4j",
                with(runtime, resolve(work, POWERTOOLS_LOGGING), log4jConfig), "Powertools logging (log4j2), 5 lines"));
        variants.add(new Variant("own-emf", "OwnEmf", List.of(runtime, functions), "one EMF line with Jobline's Json"));
        variants.add(new Variant("emf-library", "EmfLibrary", with(runtime, resolve(work, EMF_LIBRARY)),
                "aws-embedded-metrics, 3 metrics, 1 flush"));
        variants.add(new Variant("powertools-metrics", "PowertoolsMetrics", with(runtime, resolve(work, POWERTOOLS_METRICS)),
                "Powertools metrics, 3 metrics, 1 flush"));

        String javaToolOptions = javaToolOptions(repo.template());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", javaToolOptions);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "WorkerFunction");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/WorkerFunction");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "bench");
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));

        System.out.println("Observability cold start: " + runs + " runs per variant, a fresh JVM each, timed from "
                + "ProcessBuilder.start() to the child's done line");
        System.out.println("  machine: " + Machine.describe());
        System.out.println("  JVM flags for every variant: JAVA_TOOL_OPTIONS=\"" + javaToolOptions + "\" (template.yaml)");
        for (Variant variant : variants) {
            System.out.println(String.format(Locale.ROOT, "  %-19s %-58s classpath after bench-runtime.jar: %s",
                    variant.name(), variant.what(), size(variant.classpath().subList(1, variant.classpath().size()))));
        }
        System.out.println();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (Variant variant : variants) {   // untimed, so every jar is in the OS file cache
            launch(java, variant, env);
        }
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int run = 0; run < runs; run++) {
            List<Variant> order = new ArrayList<>(variants);
            Collections.rotate(order, -(run % variants.size()));
            for (Variant variant : order) {
                results.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(launch(java, variant, env));
            }
        }
        double floor = Stats.of(results.get("none").stream().map(r -> r[0]).toList()).median();
        System.out.println(String.format(Locale.ROOT, "  %-19s %9s %9s %9s %12s %14s", "variant", "median", "min", "max",
                "over none", "child's work"));
        for (Map.Entry<String, List<double[]>> entry : results.entrySet()) {
            Stats total = Stats.of(entry.getValue().stream().map(r -> r[0]).toList());
            Stats inside = Stats.of(entry.getValue().stream().map(r -> r[1]).toList());
            System.out.println(String.format(Locale.ROOT, "  %-19s %6.0f ms %6.0f ms %6.0f ms %+9.0f ms %11.0f ms",
                    entry.getKey(), total.median(), total.min(), total.max(), total.median() - floor, inside.median()));
        }
        System.out.println("machine at the end: " + Machine.load());
    }

    private static List<Path> with(Path first, List<Path> rest, Path... more) {
        List<Path> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        all.addAll(List.of(more));
        return all;
    }

    /** [wall millis from start to the done line, the child's own millis from main to done]. */
    private static double[] launch(String java, Variant variant, Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = List.of(java, "-cp",
                variant.classpath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                ObservabilityProbe.class.getName(), variant.probe());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        double wall = -1;
        double inside = -1;
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(ObservabilityProbe.DONE)) {
                    wall = (System.nanoTime() - started) / 1_000_000.0;
                    inside = Double.parseDouble(line.substring(line.indexOf('=') + 1));
                } else {
                    output.add(line);
                }
            }
        }
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0 || wall < 0) {
            process.destroyForcibly();
            throw new IllegalStateException(variant.name() + " failed: " + String.join("\n", output));
        }
        boolean logs = !variant.name().equals("none");
        long written = output.stream().filter(l -> l.startsWith("{")).count();
        if (logs && written == 0) {
            throw new IllegalStateException(variant.name() + " wrote no JSON line: " + String.join("\n", output));
        }
        return new double[] {wall, inside};
    }

    /** The library's runtime classpath as Maven resolves it alone: a throwaway pom, dependency:build-classpath. */
    private static List<Path> resolve(Path work, String coordinates) throws IOException, InterruptedException {
        String[] parts = coordinates.split(":");
        Path dir = Files.createDirectories(work.resolve(parts[1]));
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                  <groupId>bench</groupId><artifactId>resolve-%s</artifactId><version>1</version>
                  <dependencies><dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency></dependencies>
                </project>
                """.formatted(parts[1], parts[0], parts[1], parts[2]));
        Process mvn = new ProcessBuilder("mvn", "-q", "-B", "-ntp", "dependency:build-classpath",
                "-Dmdep.outputFile=classpath.txt", "-Dmdep.includeScope=runtime")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("mvn.log").toFile()).start();
        if (!mvn.waitFor(300, TimeUnit.SECONDS) || mvn.exitValue() != 0) {
            throw new IllegalStateException("could not resolve " + coordinates + ": " + Files.readString(dir.resolve("mvn.log")));
        }
        List<Path> jars = new ArrayList<>();
        for (String jar : Files.readString(dir.resolve("classpath.txt")).trim().split(File.pathSeparator)) {
            jars.add(Path.of(jar));
        }
        return jars;
    }

    private static String javaToolOptions(Path template) throws IOException {
        Matcher matcher = Pattern.compile("JAVA_TOOL_OPTIONS:\\s*\"([^\"]*)\"").matcher(Files.readString(template));
        if (!matcher.find()) {
            throw new IllegalStateException("template.yaml sets no JAVA_TOOL_OPTIONS");
        }
        return matcher.group(1);
    }

    private static String size(List<Path> paths) {
        long bytes = 0;
        for (Path path : paths) {
            try {
                bytes += Files.isDirectory(path) ? 0 : Files.size(path);
            } catch (IOException e) {
                return "?";
            }
        }
        return String.format(Locale.ROOT, "%d file(s), %.1f MB", paths.size(), bytes / 1_048_576.0);
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
