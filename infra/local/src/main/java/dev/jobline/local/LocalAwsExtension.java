package dev.jobline.local;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: {@code @ExtendWith(LocalAwsExtension.class)} gives tests
 * <ul>
 * <li>a {@link LocalAws} parameter: one per test JVM, started on first use and closed when the run ends (it is kept
 * in the root context's store);</li>
 * <li>a {@link LocalResources} parameter: a fresh provisioning of the repository's template.yaml for each test method
 * (shared by that method's {@code @BeforeEach}/{@code @AfterEach} methods), deleted after the test.</li>
 * </ul>
 * The template is the system property {@code jobline.template} if set, else the first {@code template.yaml} found in
 * the working directory or one of its parents.
 *
 * <p>With {@code -Djobline.stack=localstack} (what {@code mvn verify -Plocalstack} sets), the {@link LocalAws} is
 * LocalStack in Docker, started through Testcontainers by {@code dev.jobline.local.LocalStackAws}, a class compiled
 * only in that profile (so the default build never loads Testcontainers). Where Docker is not available, every test
 * is skipped, with one line saying why.
 */
public final class LocalAwsExtension implements ParameterResolver, ExecutionCondition {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalAwsExtension.class);
    /** {@code local} (ElasticMQ and dynalite, the default) or {@code localstack}. */
    public static final String STACK_PROPERTY = "jobline.stack";
    private static final String LOCALSTACK = "localstack";
    private static final String LOCALSTACK_CLASS = "dev.jobline.local.LocalStackAws";
    private static final AtomicBoolean SKIP_REPORTED = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!usesLocalStack()) {
            return ConditionEvaluationResult.enabled("the local stack: ElasticMQ and dynalite");
        }
        String unavailable = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("localstack-unavailable", key -> localStackUnavailable(), String.class);
        if (unavailable.isEmpty()) {
            return ConditionEvaluationResult.enabled("LocalStack in Docker");
        }
        String reason = "LocalStack profile: skipped, " + unavailable;
        if (SKIP_REPORTED.compareAndSet(false, true)) {
            // straight to the process's stderr: Surefire keeps System.err of code outside a test in a report file
            PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
            stderr.println("[jobline] " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    private static boolean usesLocalStack() {
        return LOCALSTACK.equalsIgnoreCase(System.getProperty(STACK_PROPERTY, "local").trim());
    }

    /** Empty when LocalStack can run; else why not, in one line. */
    private static String localStackUnavailable() {
        try {
            String reason = (String) Class.forName(LOCALSTACK_CLASS).getMethod("unavailableReason").invoke(null);
            return reason == null ? "" : reason;
        } catch (ClassNotFoundException e) {
            return "its classes are not on the test classpath (run it as mvn verify -Plocalstack)";
        } catch (InvocationTargetException e) {
            return "Docker could not be checked: " + e.getCause();
        } catch (ReflectiveOperationException e) {
            return "Docker could not be checked: " + e;
        }
    }

    private static LocalAws startLocalStack() {
        try {
            return (LocalAws) Class.forName(LOCALSTACK_CLASS).getMethod("start").invoke(null);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("LocalStack did not start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("LocalStack cannot be started: " + e, e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalAws.class || type == LocalResources.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        try {
            if (type == LocalAws.class) {
                return localAws(context);
            }
            LocalAws aws = localAws(context);
            return context.getStore(NAMESPACE)
                    .getOrComputeIfAbsent(LocalResources.class, key -> aws.provision(template()), LocalResources.class);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot provide " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** The one {@link LocalAws} of this test run, started on first use (closed by JUnit when the run ends). */
    public static LocalAws localAws(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(LocalAws.class, key -> usesLocalStack() ? startLocalStack() : LocalAws.start(),
                        LocalAws.class);
    }

    /** The template.yaml to provision: {@code -Djobline.template}, else the nearest one at or above the cwd. */
    public static Path template() {
        String configured = System.getProperty("jobline.template");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no template.yaml in " + start + " or its parents");
    }
}
