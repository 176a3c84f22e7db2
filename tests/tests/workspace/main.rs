//! Tests across the workspace, in one test binary: the PowerShell module's native shim under
//! Mono, and the layering of the code (docs/architecture.md).

mod layers;
mod powershell;
