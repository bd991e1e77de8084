package dev.jobline.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jobline.json.Json;
import dev.jobline.local.CfnYaml;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FunctionRole} is the role SAM really generates: aws-sam-translator (the library inside sam build and
 * cfn-lint) transforms template.yaml, and each function's generated role has the managed policies the model attaches
 * and the template's statements unchanged. Runs where a Python with aws-sam-translator is found (PATH, then
 * ~/.pyenv/shims), as on this project's machines; skipped with the reason elsewhere.
 */
@ExtendWith(LocalAwsExtension.class)
class SamRoleTest {
    private static final Path SCRIPT = Path.of("src/test/python/sam_roles.py");

    @Test
    void everyFunctionsRoleIsWhatSamGenerates(LocalResources resources) throws IOException, InterruptedException {
        Map<String, Object> generated = Json.parseObject(samRoles());
        Map<String, Object> template = CfnYaml.load(LocalAwsExtension.template());

        assertEquals(resources.functions().keySet(), generated.keySet());
        for (String function : resources.functions().keySet()) {
            Map<?, ?> role = (Map<?, ?>) generated.get(function);
            assertEquals(role.get("managedPolicies"), FunctionRole.of(resources, function).managedPolicies(), function);
            assertEquals(role.get("statements"), statements(template, function), function);
        }
    }

    /** The statements of a function's Policies, in order, as the template writes them (long-form intrinsics). */
    private static List<Object> statements(Map<String, Object> template, String function) {
        Map<?, ?> properties = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) template.get("Resources")).get(function)).get("Properties");
        List<Object> statements = new ArrayList<>();
        for (Object policy : (List<?>) properties.get("Policies")) {
            statements.addAll((List<?>) ((Map<?, ?>) policy).get("Statement"));
        }
        return statements;
    }

    private static String samRoles() throws IOException, InterruptedException {
        String python = pythonWithSamTranslator();
        Assumptions.assumeTrue(python != null, "no Python with aws-sam-translator on PATH or in ~/.pyenv/shims: SAM's roles not compared");
        Process process = new ProcessBuilder(python, SCRIPT.toString(), LocalAwsExtension.template().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "sam_roles.py failed");
        return output;
    }

    /** The first python3 that imports samtranslator: PATH's, then pyenv's shim (a fresh non-interactive shell has no pyenv on PATH). */
    private static String pythonWithSamTranslator() throws IOException, InterruptedException {
        List<String> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            candidates.add(Path.of(dir, "python3").toString());
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".pyenv", "shims", "python3").toString());
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                Process probe = new ProcessBuilder(candidate, "-c", "import samtranslator").redirectErrorStream(true).start();
                probe.getInputStream().readAllBytes();
                if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
