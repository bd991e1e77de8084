package dev.jobline.local;

import java.nio.file.Files;
import java.nio.file.Path;

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
 */
public final class LocalAwsExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalAwsExtension.class);

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
                .getOrComputeIfAbsent(LocalAws.class, key -> LocalAws.start(), LocalAws.class);
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
