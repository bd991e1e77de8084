package dev.jobline.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.local.CfnYaml;
import dev.jobline.local.LocalAwsExtension;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sam build} does with the Makefile, done here without SAM: the source copied to a scratch directory (as
 * aws-lambda-builders' CustomMakeWorkflow does by default, modification times kept), then
 * {@code make --makefile Makefile build-<LogicalId>} with {@code ARTIFACTS_DIR} set, for every function of the
 * template. Each artifact directory is then loaded the way Lambda's Java runtime loads a function: the task root and
 * the jars in its {@code lib/}, sorted by name (CustomerClassLoader in aws-lambda-java-runtime-interface-client).
 */
class SamBuildTest {
    private static final Path REPO = LocalAwsExtension.template().getParent();

    @TempDir
    static Path work;
    static Path artifacts;
    static Map<String, Map<String, Object>> functions;
    static final Map<String, String> makeOutput = new java.util.LinkedHashMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void buildEveryFunctionFromAScratchCopy() throws Exception {
        functions = new TemplateChecks((Map<String, Object>) CfnYaml.parse(Files.readString(REPO.resolve("template.yaml"))))
                .functions();
        Path scratch = work.resolve("scratch");
        // what the Makefile reads; the jar, when built already, with its modification time, as copytree keeps it
        for (String file : List.of("Makefile", "pom.xml", "functions/pom.xml", "infra/local/pom.xml")) {
            copy(REPO.resolve(file), scratch.resolve(file));
        }
        try (Stream<Path> sources = Files.walk(REPO.resolve("functions/src/main"))) {
            for (Path source : sources.filter(Files::isRegularFile).toList()) {
                copy(source, scratch.resolve(REPO.relativize(source)));
            }
        }
        Path jar = REPO.resolve("functions/target/jobline-functions.jar");
        if (Files.exists(jar)) {
            copy(jar, scratch.resolve(REPO.relativize(jar)));
        }
        artifacts = work.resolve("build");
        for (String function : functions.keySet()) {
            Result make = make(scratch, "build-" + function, artifacts.resolve(function));
            assertEquals(0, make.exitCode(), function + ": " + make.output());
            makeOutput.put(function, make.output());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    }

    record Result(int exitCode, String output) {
    }

    private static Result make(Path directory, String target, Path artifactsDir) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("make", "--makefile", directory.resolve("Makefile").toString(), target));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().remove("ARTIFACTS_DIR");
        if (artifactsDir != null) {
            builder.environment().put("ARTIFACTS_DIR", artifactsDir.toString());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), target + " did not end: " + output);
        return new Result(process.exitValue(), output);
    }

    /** The classpath Lambda's Java runtime gives a function: the task root, then lib/*.jar in lexical order. */
    private static URLClassLoader lambdaClassLoader(Path taskRoot) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(taskRoot.toUri().toURL());
        File[] jars = taskRoot.resolve("lib").toFile().listFiles((dir, name) -> name.length() > 4 && name.endsWith(".jar"));
        if (jars != null) {
            Arrays.sort(jars, (a, b) -> a.getName().compareTo(b.getName()));
            for (File jar : jars) {
                urls.add(jar.toURI().toURL());
            }
        }
        // the platform loader as parent: nothing of this test's classpath can stand in for a missing class
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** Loads the Handler's class from the function's layout and finds its method taking (event, Context). */
    private static Method loadHandler(Path taskRoot, String handler) throws Exception {
        String[] parts = handler.split("::", 2);
        ClassLoader loader = lambdaClassLoader(taskRoot);
        Class<?> type = Class.forName(parts[0], true, loader);
        Class<?> context = Class.forName("com.amazonaws.services.lambda.runtime.Context", false, loader);
        Class<?> requestHandler = Class.forName("com.amazonaws.services.lambda.runtime.RequestHandler", false, loader);
        for (Type implemented : type.getGenericInterfaces()) {
            if (implemented instanceof ParameterizedType parameterized && parameterized.getRawType() == requestHandler) {
                Class<?> event = (Class<?>) parameterized.getActualTypeArguments()[0];
                return type.getMethod(parts[1], event, context);
            }
        }
        throw new AssertionError(parts[0] + " does not implement the runtime's RequestHandler");
    }

    @Test
    void everyFunctionIsBuiltByTheMakefileIntoTheLayoutLambdaLoads() throws Exception {
        for (Map.Entry<String, Map<String, Object>> function : functions.entrySet()) {
            Path taskRoot = artifacts.resolve(function.getKey());
            try (Stream<Path> files = Files.walk(taskRoot)) {
                assertEquals(List.of("lib/jobline-functions.jar"), files.filter(Files::isRegularFile)
                        .map(file -> taskRoot.relativize(file).toString().replace(File.separatorChar, '/')).toList(),
                        function.getKey() + ": the artifact is the one jar, where the runtime looks for jars");
            }

            Method handler = loadHandler(taskRoot, (String) function.getValue().get("Handler"));

            String loadedFrom = handler.getDeclaringClass().getProtectionDomain().getCodeSource().getLocation().toString();
            assertTrue(loadedFrom.endsWith(function.getKey() + "/lib/jobline-functions.jar"), loadedFrom);
        }
    }

    @Test
    void theSnapStartHooksLoadFromTheArtifactToo() throws Exception {
        ClassLoader loader = lambdaClassLoader(artifacts.resolve("ApiFunction"));

        Class<?> hooks = Class.forName("dev.jobline.config.SnapshotHooks", true, loader);

        assertTrue(Class.forName("org.crac.Resource", false, loader).isAssignableFrom(hooks));
    }

    @Test
    void theJarIsBuiltOnceForAllFunctions() throws Exception {
        // Maven runs for the first target at most (not at all when the copied jar is newer than every source)
        List<String> built = makeOutput.entrySet().stream().filter(e -> e.getValue().contains("mvn ")).map(Map.Entry::getKey).toList();
        assertTrue(built.isEmpty() || built.equals(List.of(functions.keySet().iterator().next())), "Maven ran for " + built);
        byte[] first = Files.readAllBytes(artifacts.resolve(functions.keySet().iterator().next()).resolve("lib/jobline-functions.jar"));
        for (String function : functions.keySet()) {
            assertTrue(Arrays.equals(first, Files.readAllBytes(artifacts.resolve(function).resolve("lib/jobline-functions.jar"))),
                    function + " got a jar of its own");
        }
    }

    @Test
    void aJarOutsideLibIsNotOnTheRuntimesClasspath() throws Exception {
        // given a layout Lambda would not load: the jar at the task root instead of in lib/
        Path wrong = work.resolve("wrong-layout");
        Files.createDirectories(wrong);
        Files.copy(artifacts.resolve("ApiFunction").resolve("lib/jobline-functions.jar"), wrong.resolve("jobline-functions.jar"));

        assertThrows(ClassNotFoundException.class, () -> loadHandler(wrong, "dev.jobline.api.ApiHandler::handleRequest"));
    }

    @Test
    void aBuildTargetWithoutArtifactsDirStopsBeforeBuildingAnything() throws Exception {
        Result make = make(work.resolve("scratch"), "build-ApiFunction", null);

        assertNotEquals(0, make.exitCode());
        assertTrue(make.output().contains("ARTIFACTS_DIR is not set"), make.output());
        assertTrue(!make.output().contains("mvn"), make.output());
    }
}
