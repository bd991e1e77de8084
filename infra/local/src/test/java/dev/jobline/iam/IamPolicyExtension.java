package dev.jobline.iam;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which a function made a call its role in template.yaml does not allow, naming the function,
 * the action and the resource, even when the code under test swallowed the AccessDenied. Registered for every test
 * of this module by JUnit's extension auto-detection (src/test/resources/META-INF/services and
 * junit-platform.properties), so a new integration test is covered without asking.
 */
public final class IamPolicyExtension implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        IamLog.startTest();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<IamLog.Violation> violations = IamLog.takeViolations();
        if (!violations.isEmpty()) {
            throw new AssertionError("calls the functions' policies in template.yaml do not allow (AccessDenied in AWS):\n  "
                    + String.join("\n  ", violations.stream().map(IamLog.Violation::toString).distinct().toList()));
        }
    }
}
