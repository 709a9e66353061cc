// Package iampolicy models IAM policy documents, reports what IAM would refuse in a role trust policy, and
// evaluates a policy against one request with three-valued logic.
//
// The package is pure: standard library only, no I/O, no AWS SDK. It evaluates like IAM, not like a regex:
// condition key names are case-insensitive, values are compared per operator, policy variables are resolved
// only under Version 2012-10-17, and whatever cannot be known before the call (a key whose value only exists
// at call time, an element whose meaning IAM does not document) is Unknown, never guessed.
//
// References (cited where a rule is subtle):
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
package iampolicy
