package dev.jobline.bench.coldstart;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.jobline.api.ApiHandler;
import dev.jobline.bench.runtime.LambdaLauncher;
import dev.jobline.local.LambdaSqsEvent;
import dev.jobline.bench.stack.Machine;
import dev.jobline.bench.stack.Repo;
import dev.jobline.bench.stack.Stats;
import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import dev.jobline.local.TemplateFunction;
import dev.jobline.log.Log;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Cold start: a fresh JVM per run, timed from {@link ProcessBuilder#start()} to the child printing its response, for
 * the API function (one submit) and the worker (one job), against a local stack this process runs. Three variants,
 * each launched by {@link LambdaLauncher} with the same JVM flags and environment:
 * <ul>
 *   <li>{@code empty}: a RequestHandler that returns a constant, with the same event and response types;</li>
 *   <li>{@code jobline}: the real handlers from functions/target/jobline-functions.jar, no-arg constructors;</li>
 *   <li>{@code sdk-defaults}: the same Jobline handlers wired with {@code DynamoDbClient.create()} and
 *       {@code SqsClient.create()} (the SDK's default HTTP client, credential and region chains).</li>
 * </ul>
 * With {@code --appcds}, two more variants measure what an application class-data-sharing archive would give:
 * {@code empty+appcds} and {@code jobline+appcds}, the same jars started with {@code -XX:SharedArchiveFile} pointing at
 * a dynamic archive that one untimed training launch per function wrote with {@code -XX:ArchiveClassesAtExit}
 * (and {@code -Xshare:on}, so a launch that cannot map its archive fails instead of quietly running without it).
 * An experiment only: an archive works only on the JVM build that wrote it, so Lambda would need one written by
 * its own java21 runtime.
 * With {@code --baseline-jar JAR --baseline-label TEXT} (run.sh's {@code --baseline COMMIT} builds the jar from that
 * commit), one more variant, {@code baseline}: the same handlers from that jar, launched in the same rotation, so a
 * change is measured against its starting point in one run on one machine.
 * Usage: {@code ColdStart [--runs N] [--appcds] [--baseline-jar JAR --baseline-label TEXT]} (default 10 runs of each
 * variant and function).
 */
public final class ColdStart {
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    /** @param archive the dynamic CDS archive a function starts with, by logical id; null for none */
    record Variant(String name, List<Path> classpath, String apiHandler, String workerHandler, Map<String, Path> archive) {

        Variant(String name, List<Path> classpath, String apiHandler, String workerHandler) {
            this(name, classpath, apiHandler, workerHandler, null);
        }

        Variant withArchives(String suffix, Path dir) {
            Map<String, Path> archives = new LinkedHashMap<>();
            for (String function : List.of("ApiFunction", "WorkerFunction")) {
                archives.put(function, dir.resolve(name + "-" + function + ".jsa"));
            }
            return new Variant(name + suffix, classpath, apiHandler, workerHandler, archives);
        }

        String handler(TemplateFunction function) {
            return function.logicalId().equals("ApiFunction") ? apiHandler : workerHandler;
        }
    }

    /** @param cpuMillis the child's CPU time (all its threads) when it answered: less moved by other load than wall time */
    record Launch(double millis, String response, Map<String, String> phases, double cpuMillis) {
    }

    private final Repo repo;
    private final LocalAws aws;
    private final LocalResources resources;
    private final Path work;
    private final String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** Submits, in this process, the job each worker launch runs. */
    private final ApiHandler submitter;

    private ColdStart(Repo repo, LocalAws aws, LocalResources resources, Path work) {
        this.repo = repo;
        this.aws = aws;
        this.resources = resources;
        this.work = work;
        this.submitter = inProcessApi();
    }

    public static void main(String[] args) throws Exception {
        int runs = intOption(args, "--runs", 10);
        Repo repo = Repo.locate();
        Path runtime = repo.built("infra/bench/target/bench-runtime.jar");
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("empty", List.of(runtime, repo.built("infra/bench/target/bench-empty-function.jar")),
                        "dev.jobline.bench.handlers.EmptyApiHandler", "dev.jobline.bench.handlers.EmptyWorkerHandler"),
                new Variant("jobline", List.of(runtime, repo.built("functions/target/jobline-functions.jar")),
                        "dev.jobline.api.ApiHandler", "dev.jobline.worker.WorkerHandler"),
                new Variant("sdk-defaults", List.of(runtime, repo.built("infra/bench/target/bench-defaults-function.jar")),
                        "dev.jobline.bench.handlers.DefaultsApiHandler", "dev.jobline.bench.handlers.DefaultsWorkerHandler")));
        String baselineJar = option(args, "--baseline-jar");
        if (baselineJar != null) {
            variants.add(new Variant("baseline", List.of(runtime, Path.of(baselineJar).toAbsolutePath()),
                    "dev.jobline.api.ApiHandler", "dev.jobline.worker.WorkerHandler"));
            System.out.println("baseline: " + option(args, "--baseline-label") + " (" + baselineJar + ")");
        }
        Log.redirect(new PrintStream(OutputStream.nullOutputStream()));   // this process's own submits stay quiet
        Path work = Files.createTempDirectory("jobline-cold-start");
        if (List.of(args).contains("--appcds")) {
            variants.add(variants.get(0).withArchives("+appcds", work));
            variants.add(variants.get(1).withArchives("+appcds", work));
        }
        try (LocalAws aws = LocalAws.start(); LocalResources resources = aws.provision(repo.template())) {
            new ColdStart(repo, aws, resources, work).run(variants, runs);
        }
    }

    private void run(List<Variant> variants, int runs) throws Exception {
        TemplateFunction apiFunction = resources.function("ApiFunction");
        TemplateFunction workerFunction = resources.function("WorkerFunction");
        Map<String, String> apiEnv = childEnvironment(apiFunction);
        Map<String, String> workerEnv = childEnvironment(workerFunction);
        Path apiEvent = repo.event("api-submit-job.json");
        printHeader(variants, runs, apiEnv);

        List<Variant> archived = variants.stream().filter(v -> v.archive() != null).toList();
        for (Variant variant : archived) {
            train(variant, apiFunction, apiEvent, apiEnv);
        }
        resources.purge();   // the training submits queued jobs; each worker training run gets a job of its own
        for (Variant variant : archived) {
            train(variant, workerFunction, null, workerEnv);
        }
        // one untimed launch of each first, so every run finds the jars in the OS file cache
        for (Variant variant : variants) {
            launch(variant, apiEvent, apiFunction, apiEnv);
        }

        Map<String, List<Launch>> api = new LinkedHashMap<>();
        for (int run = 0; run < runs; run++) {
            for (Variant variant : rotated(variants, run)) {
                Launch launch = launch(variant, apiEvent, apiFunction, apiEnv);
                int status = ((Number) Json.parseObject(launch.response()).get("statusCode")).intValue();
                if (status != 202) {
                    throw new IllegalStateException(variant.name() + " API answered " + status + ": " + launch.response());
                }
                api.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(launch);
            }
        }
        resources.purge();   // the submits above queued jobs; each worker run below gets a job of its own

        Map<String, List<Launch>> worker = new LinkedHashMap<>();
        for (int run = -1; run < runs; run++) {   // run -1: the untimed warm-up launch of each
            for (Variant variant : rotated(variants, Math.max(run, 0))) {
                Launch launch = runOneJob(variant, workerFunction, withFlags(workerEnv, jvmFlags(variant, workerFunction)));
                if (run >= 0) {
                    worker.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(launch);
                }
            }
        }
        report("ApiFunction (one submit, POST /jobs)", api);
        report("WorkerFunction (one echo job)", worker);
        System.out.println("machine at the end: " + Machine.load());
    }

    /** The worker runs one job of its own: submitted here, its message received as the event source would. */
    private Launch runOneJob(Variant variant, TemplateFunction workerFunction, Map<String, String> env)
            throws IOException, InterruptedException {
        PreparedJob job = prepareJob(submitter);
        Launch launch = launch(variant.classpath(), variant.workerHandler(), job.event(), workerFunction, env);
        List<?> failures = (List<?>) Json.parseObject(launch.response()).get("batchItemFailures");
        if (failures == null || !failures.isEmpty()) {
            throw new IllegalStateException(variant.name() + " worker answered " + launch.response());
        }
        aws.sqsClient().deleteMessage(b -> b.queueUrl(job.queueUrl()).receiptHandle(job.receiptHandle()));
        String status = jobStatus(job.jobId());
        String expected = variant.name().startsWith("empty") ? "QUEUED" : "SUCCEEDED";
        if (!status.equals(expected)) {
            throw new IllegalStateException(variant.name() + " worker left job " + job.jobId() + " " + status);
        }
        return launch;
    }

    /** One untimed launch that writes the variant's archive for this function as the JVM exits. */
    private void train(Variant variant, TemplateFunction function, Path event, Map<String, String> env)
            throws IOException, InterruptedException {
        Path archive = variant.archive().get(function.logicalId());
        Map<String, String> dumping = withFlags(env, List.of("-XX:ArchiveClassesAtExit=" + archive));
        if (event == null) {
            runOneJob(variant, function, dumping);
        } else {
            launch(variant.classpath(), variant.handler(function), event, function, dumping);
        }
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(variant.name() + ": the training launch wrote no " + archive);
        }
    }

    private Launch launch(Variant variant, Path event, TemplateFunction function, Map<String, String> env)
            throws IOException, InterruptedException {
        return launch(variant.classpath(), variant.handler(function), event, function,
                withFlags(env, jvmFlags(variant, function)));
    }

    private static List<String> jvmFlags(Variant variant, TemplateFunction function) {
        List<String> flags = new ArrayList<>();
        if (variant.archive() != null) {
            flags.add("-XX:SharedArchiveFile=" + variant.archive().get(function.logicalId()));
            flags.add("-Xshare:on");
        }
        return flags;
    }

    private static Map<String, String> withFlags(Map<String, String> env, List<String> flags) {
        if (flags.isEmpty()) {
            return env;
        }
        Map<String, String> with = new TreeMap<>(env);
        with.put("JAVA_TOOL_OPTIONS", env.get("JAVA_TOOL_OPTIONS") + " " + String.join(" ", flags));
        return with;
    }

    private Map<String, String> childEnvironment(TemplateFunction function) {
        Map<String, String> env = new TreeMap<>(resources.environment(function.logicalId()));
        if (!env.containsKey("JAVA_TOOL_OPTIONS")) {
            throw new IllegalStateException("template.yaml gives " + function.logicalId() + " no JAVA_TOOL_OPTIONS");
        }
        env.put("AWS_REGION", LocalAws.REGION);
        env.put("AWS_DEFAULT_REGION", LocalAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", aws.sqsEndpoint().toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", function.logicalId());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memorySize()));
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return env;
    }

    private Launch launch(List<Path> classpath, String handler, Path event, TemplateFunction function,
                          Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = List.of(javaCommand, "-cp",
                classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                LambdaLauncher.class.getName(), handler, event.toString(), function.logicalId(),
                Integer.toString(function.timeoutSeconds()), Integer.toString(function.memorySize()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(devNull()));
        builder.environment().clear();
        builder.environment().putAll(env);

        long started = System.nanoTime();
        Process process = builder.start();
        Deque<String> errors = drain(process.getErrorStream());
        String response = null;
        Map<String, String> phases = Map.of();
        long answered = 0;
        double cpuMillis = Double.NaN;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (response == null && line.startsWith(LambdaLauncher.RESPONSE)) {
                    answered = System.nanoTime();
                    cpuMillis = process.info().totalCpuDuration().map(d -> d.toNanos() / 1_000_000.0).orElse(Double.NaN);
                    response = line.substring(LambdaLauncher.RESPONSE.length());
                } else if (line.startsWith(LambdaLauncher.PHASES)) {
                    phases = phases(line.substring(LambdaLauncher.PHASES.length()));
                }
            }
        }
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(handler + " did not exit within " + CHILD_TIMEOUT_SECONDS + " s");
        }
        if (response == null || process.exitValue() != 0) {
            throw new IllegalStateException(handler + " exited with " + process.exitValue() + " and no response: "
                    + String.join("\n", errors));
        }
        return new Launch((answered - started) / 1_000_000.0, response, phases, cpuMillis);
    }

    private static File devNull() {
        return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
    }

    private static Deque<String> drain(InputStream stream) {
        Deque<String> tail = new ArrayDeque<>();
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > 30) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "cold-start-stderr");
        thread.setDaemon(true);
        thread.start();
        return tail;
    }

    private static Map<String, String> phases(String text) {
        Map<String, String> phases = new LinkedHashMap<>();
        for (String pair : text.trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                phases.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return phases;
    }

    record PreparedJob(String jobId, String queueUrl, String receiptHandle, Path event) {
    }

    /** Submits an echo job in this process, receives its message as the event source would, writes Lambda's event. */
    private PreparedJob prepareJob(ApiHandler submitter) throws IOException {
        APIGatewayV2HTTPEvent request;
        try (InputStream in = Files.newInputStream(repo.event("api-submit-job.json"))) {
            request = JacksonFactory.getInstance().getSerializer(APIGatewayV2HTTPEvent.class).fromJson(in);
        }
        APIGatewayV2HTTPResponse response = submitter.handleRequest(request, null);
        if (response.getStatusCode() != 202) {
            throw new IllegalStateException("the in-process submit answered " + response.getStatusCode() + ": " + response.getBody());
        }
        String jobId = (String) Json.parseObject(response.getBody()).get("jobId");
        String queueUrl = resources.function("WorkerFunction").events("SQS").get(0).queueUrl();
        List<Message> messages = aws.sqsClient().receiveMessage(b -> b.queueUrl(queueUrl)
                .maxNumberOfMessages(1)
                .waitTimeSeconds(5)
                .visibilityTimeout(120)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        if (messages.isEmpty() || !messages.get(0).body().contains(jobId)) {
            throw new IllegalStateException("expected the message of job " + jobId + ", received " + messages);
        }
        String queueArn = queueArn(queueUrl);
        Path event = work.resolve("sqs-" + jobId + ".json");
        Files.writeString(event, Json.write(LambdaSqsEvent.json(messages, queueArn)));
        return new PreparedJob(jobId, queueUrl, messages.get(0).receiptHandle(), event);
    }

    private String queueArn(String queueUrl) {
        return resources.queueUrls().entrySet().stream()
                .filter(entry -> entry.getValue().equals(queueUrl))
                .map(entry -> resources.queueArn(entry.getKey()))
                .findFirst().orElseThrow();
    }

    private ApiHandler inProcessApi() {
        Wiring wiring = new Wiring(Config.from(resources.environment("ApiFunction")),
                new Clients(aws.dynamoClient(), aws.sqsClient()), JobCatalog.registry(), Clock.systemUTC());
        return new ApiHandler(wiring.api());
    }

    private String jobStatus(String jobId) {
        Map<String, AttributeValue> item = aws.dynamoClient().getItem(b -> b
                .tableName(resources.environment("WorkerFunction").get("TABLE_NAME"))
                .key(Map.of("jobId", AttributeValue.fromS(jobId)))
                .consistentRead(true)).item();
        return item == null || !item.containsKey("status") ? "MISSING" : item.get("status").s();
    }

    private static List<Variant> rotated(List<Variant> variants, int by) {
        List<Variant> order = new ArrayList<>(variants);
        Collections.rotate(order, -(by % variants.size()));
        return order;
    }

    private void printHeader(List<Variant> variants, int runs, Map<String, String> env) {
        System.out.println("Cold start: " + runs + " runs per variant and function, a fresh JVM each, "
                + "timed from ProcessBuilder.start() to the response line");
        System.out.println("  machine: " + Machine.describe());
        System.out.println("  JVM flags for every variant: JAVA_TOOL_OPTIONS=\"" + env.get("JAVA_TOOL_OPTIONS")
                + "\" (template.yaml), nothing else"
                + (variants.stream().anyMatch(v -> v.archive() != null)
                        ? "; the +appcds variants add -XX:SharedArchiveFile=<their own archive per function> -Xshare:on"
                        : ""));
        for (Variant variant : variants) {
            System.out.println("  " + String.format(Locale.ROOT, "%-15s", variant.name()) + " -cp "
                    + variant.classpath().stream().map(p -> repo.root().relativize(p) + " (" + size(p) + ")")
                    .collect(Collectors.joining(" : ")));
        }
        System.out.println();
    }

    private static String size(Path path) {
        try {
            return String.format(Locale.ROOT, "%.1f MB", Files.size(path) / 1_048_576.0);
        } catch (IOException e) {
            return "?";
        }
    }

    private static void report(String title, Map<String, List<Launch>> results) {
        System.out.println(title);
        System.out.println(String.format(Locale.ROOT, "  %-15s %9s %9s %9s %9s   %s", "variant", "median", "min", "max",
                "CPU", "child's own medians: JVM start to main / init (constructor) / invoke; classes loaded"));
        for (Map.Entry<String, List<Launch>> entry : results.entrySet()) {
            Stats total = Stats.of(entry.getValue().stream().map(Launch::millis).toList());
            Stats cpu = Stats.of(entry.getValue().stream().map(Launch::cpuMillis).filter(ms -> !ms.isNaN()).toList());
            System.out.println(String.format(Locale.ROOT, "  %-15s %7.0f ms %6.0f ms %6.0f ms %6.0f ms   %4.0f / %4.0f / %4.0f ms; %5.0f",
                    entry.getKey(), total.median(), total.min(), total.max(), cpu.median(),
                    phaseMedian(entry.getValue(), "jvmToMainMillis"), phaseMedian(entry.getValue(), "initMillis"),
                    phaseMedian(entry.getValue(), "invokeMillis"), phaseMedian(entry.getValue(), "classesLoaded")));
        }
        double jobline = Stats.of(results.get("jobline").stream().map(Launch::millis).toList()).median();
        double empty = Stats.of(results.get("empty").stream().map(Launch::millis).toList()).median();
        double defaults = Stats.of(results.get("sdk-defaults").stream().map(Launch::millis).toList()).median();
        System.out.println(String.format(Locale.ROOT, "  jobline / empty        = %.2fx  (target <= 1.5x: %s)",
                jobline / empty, jobline / empty <= 1.5 ? "met" : "MISSED"));
        System.out.println(String.format(Locale.ROOT, "  jobline / sdk-defaults = %.2fx  (target <= 0.5x: %s)",
                jobline / defaults, jobline / defaults <= 0.5 ? "met" : "MISSED"));
        if (results.containsKey("baseline")) {
            double baseline = Stats.of(results.get("baseline").stream().map(Launch::millis).toList()).median();
            double joblineCpu = Stats.of(results.get("jobline").stream().map(Launch::cpuMillis).toList()).median();
            double baselineCpu = Stats.of(results.get("baseline").stream().map(Launch::cpuMillis).toList()).median();
            System.out.println(String.format(Locale.ROOT, "  jobline / baseline     = %.2fx  (%+.0f ms; CPU %.2fx, %+.0f ms; the same handlers from the baseline jar)",
                    jobline / baseline, jobline - baseline, joblineCpu / baselineCpu, joblineCpu - baselineCpu));
        }
        if (results.containsKey("jobline+appcds")) {
            double joblineCds = Stats.of(results.get("jobline+appcds").stream().map(Launch::millis).toList()).median();
            double emptyCds = Stats.of(results.get("empty+appcds").stream().map(Launch::millis).toList()).median();
            System.out.println(String.format(Locale.ROOT, "  experiment, not the deployed build: jobline+appcds / empty = %.2fx, "
                            + "/ empty+appcds = %.2fx, / sdk-defaults = %.2fx",
                    joblineCds / empty, joblineCds / emptyCds, joblineCds / defaults));
        }
        System.out.println();
    }

    private static double phaseMedian(List<Launch> launches, String phase) {
        return Stats.of(launches.stream().filter(l -> l.phases().containsKey(phase))
                .map(l -> Double.parseDouble(l.phases().get(phase))).toList()).median();
    }

    private static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
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
