// @ts-check
module.exports = async () => {};
