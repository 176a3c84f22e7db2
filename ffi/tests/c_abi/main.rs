//! The C ABI's tests, in one test binary (the AWS SDK is linked once): called from Rust the
//! way C and C# call it, from a real C compiler and Python ctypes, the panic guard on every
//! export, the committed header, and remediation on a moto server.

mod abi;
mod access;
mod callers;
mod evidence;
mod guard;
mod header;
mod history;
mod lint;
mod remediation;
